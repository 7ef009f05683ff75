using Workbench.Data;
using Workbench.Inference;
using Workbench.Models;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Tests.Inference;

public sealed class ColorizerTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-colorizer-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A stand-in generator: a 9×9 box blur (borders averaged over real pixels only) times a warm tint.</summary>
    private sealed class BlurTint : nn.Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var blurred = F.avg_pool2d(x, 9, stride: 1, padding: 4, count_include_pad: false);
            return (blurred * torch.tensor(new[] { 1.1f, 1.0f, 0.8f }, new long[] { 1, 3, 1, 1 })).MoveToOuterDisposeScope();
        }
    }

    private sealed class Identity : nn.Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor x) => x.clone();
    }

    [Theory]
    [InlineData(37, 53, 50)]
    [InlineData(200, 31, 64)]
    [InlineData(64, 64, 64)]
    public void BorderRowsAndColumnsAreNotDegenerateForAnyAspectRatio(int h, int w, int renderSize)
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = renderSize });
        var image = torch.full(new long[] { 1, h, w }, 0.5);
        var output = colorizer.Colorize(image);
        Assert.Equal(new long[] { 3, h, w }, output.shape);
        // A constant photo has constant chroma everywhere, edges included: nothing of a padding leaks in.
        var uv = ColorSpace.RgbToYuv(output).narrow(0, 1, 2);
        var centre = uv[.., h / 2, w / 2].unsqueeze(-1).unsqueeze(-1);
        Assert.InRange((uv - centre).abs().max().item<float>(), 0, 1e-5);
        Assert.True(centre.abs().max().item<float>() > 0.01); // and it is coloured

        // The test can see the defect it guards against: zero padding darkens the model's view at the edges.
        var (rh, rw) = Colorizer.RenderShape(h, w, renderSize);
        if (rh % 32 != 0 || rw % 32 != 0)
        {
            var zeroPadded = new BlurTint().call(F.pad(torch.full(new long[] { 1, 3, rh, rw }, 0.5), new long[] { 0, (32 - rw % 32) % 32, 0, (32 - rh % 32) % 32 }));
            var corner = zeroPadded[0, .., rh - 1, rw - 1];
            Assert.True((corner - zeroPadded[0, .., 0, 0]).abs().max().item<float>() > 0.01);
        }
    }

    [Fact]
    public void KeepsTheOriginalLuminanceAtFullResolution()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(1);
        var photo = torch.rand(3, 90, 130) * 0.5 + 0.25;
        using var colorizer = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = 40, StripRows = 32 });
        var output = colorizer.Colorize(photo);
        Assert.InRange((ColorSpace.Luma(output) - ColorSpace.Luma(photo)).abs().max().item<float>(), 0, 1e-5);
        using var lab = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = 40, Chroma = ChromaSpace.Lab });
        var labOut = lab.Colorize(photo);
        var l = (ColorSpace.RgbToLab(labOut) - ColorSpace.RgbToLab(photo)).narrow(0, 0, 1);
        Assert.InRange(l.abs().max().item<float>(), 0, 0.05); // L* kept (to float rounding through XYZ)
    }

    [Fact]
    public void RenderShapeKeepsAspectAndPixelBudget()
    {
        Assert.Equal((256, 256), Colorizer.RenderShape(1000, 1000, 256));
        var (h, w) = Colorizer.RenderShape(2000, 3000, 256);
        Assert.Equal(1.5, w / (double)h, 2);
        Assert.InRange(h * w, 256 * 256 * 0.98, 256 * 256 * 1.02);
    }

    [Fact]
    public void RestorationAddsTheModelsChangeAndAnIdentityModelChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(2);
        var photo = torch.rand(3, 45, 70);
        using var restorer = new Colorizer(new Identity(), new ColorizerOptions { RenderSize = 32, Mode = Recombination.AddResidual });
        Assert.InRange((restorer.Colorize(photo) - photo).abs().max().item<float>(), 0, 1e-5);
    }

    [Fact]
    public void WeightsFileRecordsItsArchitectureAndReloadsToTheSameResults()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var spec = UnetSpec.Preset("tiny");
        using var unet = spec.Build().eval();
        var path = Path.Combine(dir, "g.safetensors");
        ModelFile.Save(path, unet, new ModelFileInfo(nameof(DynamicUnet), spec.ToJson(), "colorize"));
        Assert.Equal(spec.ToJson(), ModelFile.ReadInfo(path).Architecture);
        var photo = torch.rand(1, 50, 70);
        using var direct = new Colorizer(unet, new ColorizerOptions { RenderSize = 48 }, ownsModel: false);
        using var loaded = Colorizer.Load(path, new ColorizerOptions { RenderSize = 48 });
        Assert.InRange((direct.Colorize(photo) - loaded.Colorize(photo)).abs().max().item<float>(), 0, 1e-6);
        Assert.Equal(new long[] { 3, 50, 70 }, loaded.Colorize(photo).shape);
    }

    [Fact]
    public void FolderRunSkipsABadFileAndSweepShowsEachSize()
    {
        using var scope = torch.NewDisposeScope();
        var input = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        ImageIO.Write(Path.Combine(input, "a.png"), torch.rand(3, 40, 60));
        Directory.CreateDirectory(Path.Combine(input, "sub"));
        ImageIO.Write(Path.Combine(input, "sub", "b.jpg"), torch.rand(1, 33, 21));
        File.WriteAllBytes(Path.Combine(input, "broken.png"), new byte[] { 1, 2, 3 });
        using var colorizer = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = 32 });
        var seen = new List<ColorizeFileResult>();
        var results = colorizer.ColorizeFolder(input, Path.Combine(dir, "out"), progress: new Progress(seen));
        Assert.Equal(3, results.Count);
        Assert.Equal(3, seen.Count);
        Assert.Single(results, r => !r.Ok && r.Input.EndsWith("broken.png", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(dir, "out", "sub", "b.png")));
        Assert.Equal(new long[] { 3, 33, 21 }, ImageIO.Read(Path.Combine(dir, "out", "sub", "b.png")).shape);

        var sweep = colorizer.SizeSweep(torch.rand(3, 40, 60), new[] { 32, 48, 64 }, height: 40);
        Assert.Equal(3, sweep.size(0));
        Assert.True(sweep.size(1) > 40 && sweep.size(2) >= 3 * 60);
    }

    [Fact]
    public void FolderRunWritesOneOutputPerSameStemInputAndNeverOverwritesUnasked()
    {
        using var scope = torch.NewDisposeScope();
        var input = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        foreach (var name in new[] { "gray.jpg", "gray.png", "photo.bmp", "photo.tif", "photo.webp" }) ImageIO.Write(Path.Combine(input, name), torch.rand(1, 20, 24));
        var output = Path.Combine(dir, "out");
        using var colorizer = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = 32 });
        var results = colorizer.ColorizeFolder(input, output);
        Assert.All(results, r => Assert.True(r.Ok, r.Error));
        Assert.Equal(new[] { "gray.jpg.png", "gray.png.png", "photo.bmp.png", "photo.tif.png", "photo.webp.png" },
            Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        var before = File.ReadAllBytes(Path.Combine(output, "gray.jpg.png"));
        var refused = Assert.Throws<IOException>(() => colorizer.ColorizeFolder(input, output));
        Assert.Contains("already exist", refused.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(output, "gray.jpg.png")));
        Assert.Equal(5, colorizer.ColorizeFolder(input, output, overwrite: true).Count(r => r.Ok));
        Assert.Empty(Directory.GetFiles(output, ".*")); // no temporary files left behind
    }

    [Fact]
    public void SingleFileRefusesItsInputAndAnExistingOutput()
    {
        using var scope = torch.NewDisposeScope();
        var photo = Path.Combine(dir, "x.jpg");
        ImageIO.Write(photo, torch.rand(1, 20, 24));
        var original = File.ReadAllBytes(photo);
        using var colorizer = new Colorizer(new BlurTint(), new ColorizerOptions { RenderSize = 32 });
        Assert.Throws<ArgumentException>(() => colorizer.ColorizeFile(photo, photo, overwrite: true));
        Assert.Equal(original, File.ReadAllBytes(photo));
        var existing = Path.Combine(dir, "y.png");
        File.WriteAllText(existing, "keep me");
        Assert.Throws<OutputExistsException>(() => colorizer.ColorizeFile(photo, existing));
        Assert.Equal("keep me", File.ReadAllText(existing));
        colorizer.ColorizeFile(photo, existing, overwrite: true);
        Assert.Equal(new long[] { 3, 20, 24 }, ImageIO.Read(existing).shape);
    }

    private sealed class Progress(List<ColorizeFileResult> seen) : IProgress<ColorizeFileResult>
    {
        public void Report(ColorizeFileResult value) => seen.Add(value);
    }
}
