using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

/// <summary>A PNG written band by band decodes (through OpenCV) to exactly the samples written.</summary>
public sealed class PngStreamWriterTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-pngstream-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Theory]
    [InlineData(1, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(3, 16)]
    [InlineData(4, 16)]
    public void BandsOfAnyHeightDecodeToTheSamplesWritten(int channels, int bitDepth)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(channels * 100 + bitDepth);
        // 1100 x 1000 noise deflates to more than 1 MiB even in gray, so several IDAT chunks; bands of 1, 17 and the rest.
        var (height, width) = (1000, 1100);
        var samples = bitDepth == 8
            ? torch.randint(0, 256, [height, width, channels]).to(ScalarType.UInt8)
            : torch.randint(0, 65536, [height, width, channels]).to(ScalarType.Int32);
        var path = Path.Combine(folder, $"c{channels}-{bitDepth}.png");
        using (var file = File.Create(path))
        using (var png = new PngStreamWriter(file, width, height, channels, bitDepth))
        {
            png.WriteRows(samples.narrow(0, 0, 1));
            png.WriteRows(samples.narrow(0, 1, 17));
            png.WriteRows(samples.narrow(0, 18, height - 18));
            png.Finish();
        }
        Assert.True(new FileInfo(path).Length > 1 << 20);
        var read = ImageSamples.Read(path);
        Assert.Equal(samples.shape, read.shape);
        Assert.Equal(samples.dtype, read.dtype);
        Assert.True(read.equal(samples), "decoded samples differ from the written ones");
    }

    [Fact]
    public void TooFewOrTooManyRowsAreRefused()
    {
        using var scope = torch.NewDisposeScope();
        using var file = File.Create(Path.Combine(folder, "short.png"));
        using var png = new PngStreamWriter(file, 4, 3, 3, 8);
        png.WriteRows(torch.zeros([2, 4, 3], ScalarType.UInt8));
        Assert.Throws<InvalidOperationException>(png.Finish);
        Assert.Throws<InvalidOperationException>(() => png.WriteRows(torch.zeros([2, 4, 3], ScalarType.UInt8)));
        Assert.Throws<ArgumentException>(() => png.WriteRows(torch.zeros([1, 4, 3], ScalarType.Int32)));
    }
}
