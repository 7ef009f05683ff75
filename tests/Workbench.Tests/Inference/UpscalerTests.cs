using Workbench.Data;
using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Testing;
using Workbench.Torch;

using Xunit.Abstractions;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Tests.Inference;

[Collection(SequentialCollection.Name)] // seeded models
public class UpscalerTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), $"workbench-upscaler-{Guid.NewGuid():N}");
    private readonly ITestOutputHelper output;

    public UpscalerTests(ITestOutputHelper output)
    {
        this.output = output;
        Directory.CreateDirectory(dir);
    }

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static Espcn Model(long scale = 2)
    {
        torch.manual_seed(7);
        return new Espcn(scale, channels: 16);
    }

    /// <summary>A smooth picture with some texture, values in [0, 1].</summary>
    private static Tensor Picture(long channels, long height, long width)
    {
        var y = torch.linspace(0, 1, height).reshape(1, height, 1);
        var x = torch.linspace(0, 1, width).reshape(1, 1, width);
        var c = torch.arange(channels).to(ScalarType.Float32).reshape(channels, 1, 1);
        return ((y * 3 + x * 5 + c).sin() * 0.4 + 0.5 + torch.rand(channels, height, width) * 0.1).clamp(0.0, 1.0);
    }

    private static double MaxAbsDiff(Tensor a, Tensor b) => (a - b).abs().max().item<float>();

    [Theory]
    [InlineData(2, 3, 32, 8)]
    [InlineData(3, 3, 40, 16)]
    [InlineData(2, 4, 24, 10)]
    public void TiledEqualsWholeImage(int scale, int channels, int tile, int overlap)
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model(scale);
        var image = Picture(channels, 70, 93);
        using var whole = new Upscaler(model, scale, new UpscaleOptions { Tile = 0, Overlap = overlap });
        using var tiled = new Upscaler(model, scale, new UpscaleOptions { Tile = tile, Overlap = overlap });
        Assert.True(tiled.TileCount(70, 93) >= 6);
        var a = whole.Upscale(image);
        var b = tiled.Upscale(image);
        Assert.Equal([channels, 70 * scale, 93 * scale], b.shape);
        var diff = MaxAbsDiff(a, b);
        output.WriteLine($"x{scale}, {channels} channels, tile {tile}, overlap {overlap}: tiled vs whole max abs diff {diff:E2}");
        Assert.True(diff < 1e-4, $"tiled vs whole: max abs diff {diff:E2}");
    }

    [Fact]
    public void WholeImageRunsOnTheReflectPaddedImage()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        var image = Picture(3, 20, 30);
        using var upscaler = new Upscaler(model, 2, new UpscaleOptions { Tile = 0, Overlap = 6 });
        var expected = model.eval().call(F.pad(image.unsqueeze(0), [6, 6, 6, 6], "reflect"))[0].narrow(1, 12, 40).narrow(2, 12, 60);
        Assert.True(MaxAbsDiff(expected, upscaler.Upscale(image)) < 1e-6);
    }

    [Fact]
    public void AnX2RrdbNetTakesOddSizesThroughARightAndBottomMirror()
    {
        // BasicSR's x2 RRDBNet pixel-unshuffles first, so its input must be even; Real-ESRGAN mirrors the missing row/column.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var model = new RrdbNet(scale: 2, num_feat: 8, num_block: 1, num_grow_ch: 4);
        var image = Picture(3, 13, 17);
        using var upscaler = new Upscaler(model, 2, new UpscaleOptions { Tile = 0, Overlap = 0 });
        var expected = model.eval().call(F.pad(image.unsqueeze(0), [0, 1, 0, 1], "reflect"))[0].narrow(1, 0, 26).narrow(2, 0, 34);
        Assert.True(MaxAbsDiff(expected, upscaler.Upscale(image)) < 1e-6);
    }

    [Fact]
    public void TinyImagesWork()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        using var upscaler = new Upscaler(model, 2);
        Assert.Equal([3, 2, 6], upscaler.Upscale(Picture(3, 1, 3)).shape);
    }

    [Fact]
    public void FileKeeps16BitsAndAlphaAndComparesWithBicubic()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        var weights = Path.Combine(dir, "espcn.safetensors");
        SuperResolutionModels.Save(model, weights);
        var rgba = Picture(4, 30, 41);
        rgba[3] = torch.linspace(0, 1, 41).expand(30, 41); // a transparency ramp
        var input = Path.Combine(dir, "in.png");
        ImageIO.Write(input, rgba, bitDepth: 16);

        using var upscaler = Upscaler.FromFile(weights, options: new UpscaleOptions { Tile = 16, Overlap = 6 });
        var result = upscaler.UpscaleFile(input, Path.Combine(dir, "out.png"));
        Assert.Equal((82, 60, true, 16), (result.OutputWidth, result.OutputHeight, result.Alpha, result.BitDepth));
        var written = ImageIO.Read(result.Output, new ImageReadOptions { Mode = ImageMode.Rgba });
        Assert.True(Upscaler.HasMoreThan8Bits(written), "16-bit input gives 16-bit output");
        var source = ImageIO.Read(input, new ImageReadOptions { Mode = ImageMode.Rgba });
        var bicubicAlpha = F.interpolate(F.pad(source.narrow(0, 3, 1).unsqueeze(0), [6, 6, 6, 6], "reflect"), scale_factor: 2.0, mode: "bicubic", align_corners: false)
            .clamp(0.0, 1.0)[0].narrow(1, 12, 60).narrow(2, 12, 82);
        Assert.True(MaxAbsDiff(bicubicAlpha, written.narrow(0, 3, 1)) <= 1.0 / 65535, "alpha is the bicubic upscale of the input's");
        var network = upscaler.Upscale(source.narrow(0, 0, 3)).clamp(0.0, 1.0);
        Assert.True(MaxAbsDiff(network, written.narrow(0, 0, 3)) <= 1.0 / 65535);

        var compared = upscaler.UpscaleFile(input, Path.Combine(dir, "compare.png"), compare: true);
        Assert.Equal((164, 60 + 14), (compared.OutputWidth, compared.OutputHeight)); // a 14-px caption strip under the images
        var sideBySide = ImageIO.Read(compared.Output, new ImageReadOptions { Mode = ImageMode.Rgba });
        var images = sideBySide.narrow(1, 0, 60);
        Assert.True(MaxAbsDiff(images.narrow(2, 82, 82), written) <= 1.0 / 65535, "right: the network");
        Assert.True(MaxAbsDiff(images.narrow(2, 0, 82).narrow(0, 3, 1), bicubicAlpha) <= 1.0 / 65535, "left: bicubic");
        var captions = sideBySide.narrow(1, 60, 14);
        Assert.Equal(1f, captions.narrow(0, 3, 1).min().item<float>()); // opaque
        foreach (var half in new[] { captions.narrow(2, 0, 82), captions.narrow(2, 82, 82) })
            Assert.True(half.narrow(0, 0, 3).min().item<float>() < 0.5f, "each half has dark caption text on white");
    }

    [Fact]
    public void EightBitJpegStaysEightBitWithoutAlpha()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        var input = Path.Combine(dir, "in.jpg");
        ImageIO.Write(input, Picture(3, 20, 24));
        using var upscaler = new Upscaler(model, 2, new UpscaleOptions { Tile = 16, Overlap = 4 });
        var result = upscaler.UpscaleFile(input, Path.Combine(dir, "out.png"));
        Assert.Equal((48, 40, false, 8), (result.OutputWidth, result.OutputHeight, result.Alpha, result.BitDepth));
    }

    [Fact]
    public void FolderGoesOnPastABadImage()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        var input = Path.Combine(dir, "photos");
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        ImageIO.Write(Path.Combine(input, "a.png"), Picture(3, 12, 10));
        File.WriteAllText(Path.Combine(input, "broken.jpg"), "not a jpeg");
        ImageIO.Write(Path.Combine(input, "sub", "c.png"), Picture(3, 9, 11));
        File.WriteAllText(Path.Combine(input, "notes.txt"), "ignored");
        using var upscaler = new Upscaler(model, 2, new UpscaleOptions { Tile = 0 });
        var entries = upscaler.UpscaleFolder(input, Path.Combine(dir, "out"));
        Assert.Equal(3, entries.Count);
        Assert.IsType<ImageDecodeException>(entries.Single(e => e.Input.EndsWith("broken.jpg", StringComparison.Ordinal)).Error);
        Assert.True(File.Exists(Path.Combine(dir, "out", "a.png")));
        Assert.True(File.Exists(Path.Combine(dir, "out", "sub", "c.png")));
    }

    [Fact]
    public void RejectsBadSettingsAndInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = Model();
        Assert.Throws<ArgumentException>(() => new Upscaler(model, 2, new UpscaleOptions { Tile = 20, Overlap = 16 }));
        Assert.Throws<ArgumentException>(() => new Upscaler(model, 2, new UpscaleOptions { Overlap = -1 }));
        using var upscaler = new Upscaler(model, 2);
        Assert.Throws<ArgumentException>(() => upscaler.Upscale(torch.rand(2, 8, 8)));
        using var wrongScale = new Upscaler(model, 3, new UpscaleOptions { Tile = 0 });
        Assert.Contains("scale", Assert.Throws<InvalidOperationException>(() => wrongScale.Upscale(torch.rand(3, 8, 8))).Message);
    }
}
