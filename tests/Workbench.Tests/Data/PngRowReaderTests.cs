using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

/// <summary>
/// PNGs decoded row by row (<see cref="ImageSampleRows"/> over <see cref="PngRowReader"/>) give exactly the samples
/// OpenCV decodes whole (<see cref="ImageSamples"/>), for every colour type and bit depth, all five filters and data
/// split over many IDAT chunks; interlaced files are decoded whole instead, and broken files name themselves.
/// </summary>
public sealed class PngRowReaderTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-pngrows-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(0, 1, false)]
    [InlineData(0, 2, false)]
    [InlineData(0, 4, false)]
    [InlineData(0, 8, false)]
    [InlineData(0, 8, true)]  // gray tRNS: OpenCV keeps one channel
    [InlineData(0, 16, false)]
    [InlineData(2, 8, false)]
    [InlineData(2, 8, true)]  // RGB tRNS: RGBA, alpha 0 on the colour
    [InlineData(2, 16, false)]
    [InlineData(2, 16, true)]
    [InlineData(3, 1, false)]
    [InlineData(3, 2, true)]
    [InlineData(3, 4, false)]
    [InlineData(3, 8, false)]
    [InlineData(3, 8, true)]
    [InlineData(4, 8, false)]
    [InlineData(4, 16, false)]
    [InlineData(6, 8, false)]
    [InlineData(6, 16, false)]
    public void RowsMatchOpenCvsWholeDecode(int colorType, int bitDepth, bool withTrns)
    {
        using var scope = torch.NewDisposeScope();
        var (width, height) = (37, 29); // odd sizes: partial bytes at 1/2/4 bits
        var path = Write($"c{colorType}-{bitDepth}-{withTrns}.png", width, height, colorType, bitDepth, withTrns, interlaced: false, seed: colorType * 100 + bitDepth);
        var expected = ImageSamples.Read(path);
        using var rows = ImageSampleRows.Open(path);
        Assert.True(rows.Streamed);
        Assert.Equal(expected.shape, new[] { rows.Height, rows.Width, rows.Channels });
        Assert.Equal(expected.dtype, rows.DType);
        // Bands that overlap, then a release: what a tiled upscale asks.
        Assert.True(rows.Rows(0, 10).equal(expected.narrow(0, 0, 10)), "rows 0..9 differ from OpenCV's");
        Assert.True(rows.Rows(6, 11).equal(expected.narrow(0, 6, 11)), "rows 6..16 differ from OpenCV's");
        rows.Release(12);
        Assert.True(rows.Rows(12, height - 12).equal(expected.narrow(0, 12, height - 12)), "rows 12.. differ from OpenCV's");
        Assert.Throws<InvalidOperationException>(() => rows.Rows(11, 1));
    }

    [Theory]
    [InlineData(2, 8)]
    [InlineData(6, 16)]
    public void InterlacedFilesAreDecodedWhole(int colorType, int bitDepth)
    {
        using var scope = torch.NewDisposeScope();
        var path = Write($"adam7-{colorType}-{bitDepth}.png", 21, 13, colorType, bitDepth, withTrns: false, interlaced: true, seed: 7);
        using var rows = ImageSampleRows.Open(path);
        Assert.False(rows.Streamed);
        Assert.True(rows.Rows(0, 13).equal(ImageSamples.Read(path)));
    }

    [Fact]
    public void TruncatedAndCorruptDataNameTheFile()
    {
        using var scope = torch.NewDisposeScope();
        var path = Write("whole.png", 64, 48, 2, 8, withTrns: false, interlaced: false, seed: 3);
        var bytes = File.ReadAllBytes(path);
        var truncated = Path.Combine(folder, "truncated.png");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        using (var rows = ImageSampleRows.Open(truncated))
        {
            var e = Assert.Throws<ImageDecodeException>(() => rows.Rows(0, 48));
            Assert.Equal(truncated, e.FileName);
            Assert.Contains("truncated", e.Message);
        }
        var corrupt = Path.Combine(folder, "corrupt.png");
        bytes[System.Text.Encoding.ASCII.GetString(bytes).IndexOf("IDAT", StringComparison.Ordinal) + 20] ^= 0x55; // inside the first IDAT chunk
        File.WriteAllBytes(corrupt, bytes);
        using (var rows = ImageSampleRows.Open(corrupt))
        {
            // zlib may reject the data before the chunk's CRC is checked; either way the file is named as corrupt.
            var e = Assert.Throws<ImageDecodeException>(() => rows.Rows(0, 48));
            Assert.Equal(corrupt, e.FileName);
            Assert.Contains("corrupt", e.Message);
        }
    }

    /// <summary>A random image; palettes of 2^depth − 1 entries; tRNS colours that some pixels have.</summary>
    private string Write(string name, int width, int height, int colorType, int bitDepth, bool withTrns, bool interlaced, int seed)
    {
        var random = new Random(seed);
        var bits = bitDepth * PngTestEncoder.Samples(colorType);
        var rowBytes = (width * bits + 7) / 8;
        var raw = new byte[rowBytes * height];
        random.NextBytes(raw);
        byte[]? palette = null, trns = null;
        if (colorType == 3)
        {
            var entries = (1 << bitDepth) - (bitDepth == 1 ? 0 : 1);
            palette = new byte[3 * entries];
            random.NextBytes(palette);
            // Indices past the palette would be black in libpng and are not what a file holds: keep them inside.
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++) SetPacked(raw.AsSpan(y * rowBytes), x, bitDepth, GetPacked(raw.AsSpan(y * rowBytes), x, bitDepth) % entries);
            if (withTrns)
            {
                trns = new byte[Math.Max(1, entries / 2)];
                random.NextBytes(trns);
            }
        }
        else if (withTrns)
        {
            var sampleBytes = bitDepth / 8;
            var pixel = raw.AsSpan(0, sampleBytes * PngTestEncoder.Samples(colorType)).ToArray();
            // tRNS holds 16-bit values; an 8-bit sample is compared with the low byte.
            trns = sampleBytes == 2 ? pixel : pixel.SelectMany(b => new byte[] { 0, b }).ToArray();
            for (var y = 3; y < height; y += 5) pixel.CopyTo(raw.AsSpan(y * rowBytes + pixel.Length * (y % width)));
        }
        var path = Path.Combine(folder, name);
        File.WriteAllBytes(path, PngTestEncoder.Encode(width, height, bitDepth, colorType, raw, palette, trns, interlaced));
        return path;
    }

    private static int GetPacked(ReadOnlySpan<byte> row, int x, int bits) =>
        bits >= 8 ? row[x * bits / 8] : (row[x * bits / 8] >> (8 - bits * (x % (8 / bits) + 1))) & ((1 << bits) - 1);

    private static void SetPacked(Span<byte> row, int x, int bits, int value)
    {
        if (bits >= 8)
        {
            row[x * bits / 8] = (byte)value;
            return;
        }
        var shift = 8 - bits * (x % (8 / bits) + 1);
        var mask = ((1 << bits) - 1) << shift;
        row[x * bits / 8] = (byte)((row[x * bits / 8] & ~mask) | (value << shift));
    }
}
