using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public class PngWriterTests
{
    /// <summary>Random bytes plus smooth gradients, so every filter branch (and Paeth ties) is exercised.</summary>
    private static byte[] Pixels(int width, int height, int channels, int seed)
    {
        var random = new Random(seed);
        var data = new byte[width * height * channels];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                for (var c = 0; c < channels; c++)
                    data[(y * width + x) * channels + c] = (byte)((x + y) % 7 == 0 ? random.Next(256) : (x * 3 + y * 5 + c * 40) & 0xFF);
        return data;
    }

    [Theory]
    [InlineData(1, PngFilter.Paeth)]
    [InlineData(3, PngFilter.Paeth)]
    [InlineData(4, PngFilter.Paeth)]
    [InlineData(3, PngFilter.Sub)]
    [InlineData(3, PngFilter.Up)]
    [InlineData(3, PngFilter.None)]
    public void DecodesBackToTheSamePixels(int channels, PngFilter filter)
    {
        // 37 columns: rows are not a multiple of the 16-byte vectors, so the scalar tails run too.
        var (width, height) = (37, 23);
        var pixels = Pixels(width, height, channels, seed: channels);
        foreach (var strategy in Enum.GetValues<PngStrategy>())
        {
            var png = PngWriter.Encode(pixels, width, height, channels, width * channels, level: 6, strategy, filter);
            using var scope = torch.NewDisposeScope();
            var mode = channels switch { 1 => ImageMode.Gray, 3 => ImageMode.Rgb, _ => ImageMode.Rgba };
            var decoded = ImageIO.ReadBytes(png, "png", new ImageReadOptions { Mode = mode }); // OpenCV/libpng checks every CRC
            var hwc = decoded.mul(255).round().to(ScalarType.UInt8).permute(1, 2, 0).contiguous();
            Assert.Equal(pixels, hwc.data<byte>());
        }
    }

    [Fact]
    public void EncodesARegionOfALargerImage()
    {
        var (width, height) = (50, 40);
        var pixels = Pixels(width, height, 3, seed: 9);
        var (x, y, w, h) = (7, 5, 20, 30);
        var png = PngWriter.Encode(pixels.AsSpan((y * width + x) * 3), w, h, 3, width * 3);
        using var scope = torch.NewDisposeScope();
        var decoded = ImageIO.ReadBytes(png).mul(255).round().to(ScalarType.UInt8).permute(1, 2, 0).contiguous().data<byte>();
        var expected = Enumerable.Range(y, h).SelectMany(row => pixels.AsSpan((row * width + x) * 3, w * 3).ToArray()).ToArray();
        Assert.Equal(expected, decoded);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue()
    {
        Assert.Equal(0xCBF43926u, PngWriter.Crc32.Compute("123456789"u8)); // the CRC-32/ISO-HDLC check value
        Assert.Equal(0u, PngWriter.Crc32.Compute([]));
    }

    [Fact]
    public void RejectsBadArguments()
    {
        var pixels = new byte[10 * 10 * 3];
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Encode(pixels, 10, 10, 2, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Encode(pixels, 10, 10, 3, 20));
        Assert.Throws<ArgumentException>(() => PngWriter.Encode(pixels, 10, 11, 3, 30));
        Assert.Throws<ArgumentOutOfRangeException>(() => PngWriter.Encode(pixels, 10, 10, 3, 30, level: 10));
    }
}
