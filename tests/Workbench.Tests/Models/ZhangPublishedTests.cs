using Workbench.Data;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

using Xunit.Abstractions;

namespace Workbench.Tests.Models;

/// <summary>The two full-size weights files of tests/reference/zhang_published_reference.py (255 MB).</summary>
public sealed class ZhangPublishedReference() : PublishedReference("zhang_published_reference.py");

/// <summary>
/// Zhang et al.'s published colorizers (richzhang/colorization: eccv16, siggraph17) load from bare PyTorch state
/// dicts by their keys and run as upstream's networks and demo pipeline do (tests/reference/zhang_published_reference.py:
/// twins of upstream's modules on random weights, full size; the eccv16 file in the zip format, the siggraph17 one
/// legacy and without num_batches_tracked).
/// </summary>
public sealed class ZhangPublishedTests(ZhangPublishedReference reference, ITestOutputHelper output) : IClassFixture<ZhangPublishedReference>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-zhang-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private string Reference(string file) => reference.PathOf(file);

    private Tensor Get(string key) => reference[key];

    /// <summary>
    /// <paramref name="actual"/> against PyTorch's float64 run of the twin, within 8× PyTorch's own float32 error
    /// (at least 1e-5 relative): 20-odd convs deep, float32 rounding is the twin's own error, not a fixed number.
    /// </summary>
    private void AssertMatchesTwin(Tensor actual, string key)
    {
        var tolerance = Math.Max(1e-5, 8 * ColorizeReference.Error(Get(key), Get(key + "64")));
        var error = ColorizeReference.Error(actual, Get(key + "64"));
        output.WriteLine($"{key}: error {error:E2} vs float64 (tolerance {tolerance:E2}; PyTorch float32's {tolerance / 8:E2})");
        Assert.True(error <= tolerance, $"{key}: error {error:E2} vs float64 > tolerance {tolerance:E2}");
    }

    /// <summary>PSNR in dB of two CHW images in [0, 1].</summary>
    private static double PsnrOf(Tensor a, Tensor b) => Psnr.Compute(a, b).item<float>();

    [Theory]
    [InlineData("eccv16.pth", "zhang-eccv16", "eccv16", 256)]
    [InlineData("siggraph17.pth", "zhang-siggraph17", "siggraph17", 64)]
    public void ReleasedFilesLoadByTheirKeysAndColorizeAsUpstreamsDemo(string file, string arch, string name, int side)
    {
        using var scope = torch.NewDisposeScope();
        // As `workbench colorize --model X.pth IN OUT` runs: no metadata, no --arch.
        using var colorizer = Colorizer.Load(Reference(file), new ColorizerOptions { RenderSize = side });
        Assert.Equal(new ModelFileInfo(arch, ModelFile.NoSpec, ModelRegistry.Tasks.Colorize), colorizer.Info);
        using (torch.no_grad()) AssertMatchesTwin(colorizer.Model.call(Get("net/l")), name + "/out");

        var result = Path.Combine(folder, name + ".png");
        colorizer.ColorizeFile(Reference("photo.png"), result);
        var written = ImageIO.Read(result);
        var upstream = Get($"pipeline/{name}/{side}/png").to(ScalarType.Float32) / 255;   // plt.imsave's bytes
        var colorized = colorizer.Colorize(ImageIO.Read(Reference("photo.png")));
        var (toFloat, toBytes) = (PsnrOf(colorized, Get($"pipeline/{name}/{side}/rgb")), PsnrOf(written, upstream));
        output.WriteLine($"{name} at {side}: {toFloat:F1} dB against lab2rgb's float result, {toBytes:F1} dB against the PNG upstream writes");
        // Upstream's PNG truncates (plt.imsave: (rgb * 255).astype(uint8)) where ImageIO rounds.
        var truncated = (colorized * 255).floor() - Get($"pipeline/{name}/{side}/png").to(ScalarType.Float32);
        var (maxOff, offBytes) = (truncated.abs().max().item<float>(), truncated.ne(0).sum().item<long>());
        // What still differs comes from the resize's odd one-level samples, which random weights amplify.
        output.WriteLine($"truncated as plt.imsave does: {offBytes} of {truncated.numel()} bytes differ (max {maxOff})");
        Assert.True(toFloat >= 45, $"{name}: {toFloat:F1} dB against upstream's float result");
        Assert.True(toBytes >= 45, $"{name}: {toBytes:F1} dB against upstream's PNG");
    }

    [Fact]
    public void Siggraph17TakesHintsAsUpstreamDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new Siggraph17Colorizer();
        net.load_state_dict(WeightsFile.ReadStateDict(Reference("siggraph17.pth")));
        net.eval();
        using (torch.no_grad()) AssertMatchesTwin(net.forward(Get("net/l"), Get("net/ab"), Get("net/mask")), "siggraph17/hinted");
        Assert.Contains("divisible by 8", Assert.Throws<ArgumentException>(() => net.call(torch.zeros(1, 1, 20, 24))).Message);
    }

    [Fact]
    public void EachReleasedLayoutFitsOneEntryAndNothingElseFitsThem()
    {
        using var scope = torch.NewDisposeScope();
        var eccv = WeightsFile.ReadStateDict(Reference("eccv16.pth"));
        var siggraph = WeightsFile.ReadStateDict(Reference("siggraph17.pth"));
        Assert.Equal(["zhang-eccv16"], ModelRegistry.Recognise(eccv).Select(r => r.Entry.Name));
        Assert.Equal(["zhang-siggraph17"], ModelRegistry.Recognise(siggraph).Select(r => r.Entry.Name));
        Assert.Empty(ModelRegistry.Recognise(eccv, ModelRegistry.Tasks.SuperResolution));

        // One key short, one key too many, or a shape changed: not upstream's network, so not recognised.
        Assert.Empty(ModelRegistry.Recognise(eccv.Where(kv => kv.Key != "model3.2.bias").ToDictionary()));
        Assert.Empty(ModelRegistry.Recognise(new Dictionary<string, Tensor>(siggraph) { ["extra.weight"] = torch.zeros(1) }));
        Assert.Empty(ModelRegistry.Recognise(new Dictionary<string, Tensor>(eccv) { ["model1.0.weight"] = torch.zeros(64, 3, 3, 3) }));
        // Our own Zhang-style colorizer is not upstream's.
        using var ours = new ZhangSpec(Width: 4).Build();
        Assert.Empty(ModelRegistry.Recognise(ours.state_dict()));

        // What `workbench import` writes (arch and task, no spec) loads as a colorizer too.
        var path = Path.Combine(folder, "imported.safetensors");
        SafeTensors.Save(path, siggraph, ModelRegistry.Metadata("zhang-siggraph17", new Dictionary<string, string>()));
        var (imported, info) = ModelFile.Load(path);
        using (imported) Assert.Equal((typeof(Siggraph17Colorizer), "zhang-siggraph17", "colorize"), (imported.GetType(), info.Network, info.Task));

        // A bare state dict that fits no colorizer keeps the message that asks for metadata.
        path = Path.Combine(folder, "partial.safetensors");
        SafeTensors.Save(path, eccv.Where(kv => !kv.Key.StartsWith("model8.", StringComparison.Ordinal)).ToDictionary());
        Assert.Contains("it does not say which network it holds", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);
    }

    [Theory]
    [InlineData("eccv16", 256)]
    [InlineData("siggraph17", 64)]
    public void ResizeIsPillowsBicubicToALevel(string name, int side)
    {
        using var scope = torch.NewDisposeScope();
        var photo = ImageIO.Read(Reference("photo.png"));
        var ours = (ZhangDemoPipeline.ResizeAsPillow(photo, side, side) * 255).round();
        var pillow = Get($"pipeline/{name}/{side}/resized").to(ScalarType.Float32);
        var diff = (ours - pillow).abs();
        var (max, off) = (diff.max().item<float>(), diff.gt(0).sum().item<long>());
        output.WriteLine($"48x80 → {side}x{side}: {off} of {diff.numel()} samples one level from Pillow's (max {max})");
        Assert.True(max <= 1, $"a sample {max} levels from Pillow's");
        Assert.True(off <= diff.numel() / 100, $"{off} samples differ from Pillow's");
    }
}
