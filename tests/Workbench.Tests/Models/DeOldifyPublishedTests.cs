using Workbench.Data;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Models;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

using Xunit.Abstractions;

namespace Workbench.Tests.Models;

/// <summary>The generators of tests/reference/deoldify_reference.py at full size (1.1 GB).</summary>
public sealed class DeOldifyReference() : PublishedReference("deoldify_reference.py");

/// <summary>
/// DeOldify's published generators (ColorizeArtistic_gen.pth, ColorizeStable_gen.pth) load from fastai Learner files
/// by their keys and run as upstream's network and ColorizerFilter do (tests/reference/deoldify_reference.py: twins of
/// upstream's modules with its names, on random weights, full size, saved as {'model': ..., 'opt': None} in the legacy format).
/// </summary>
public sealed class DeOldifyPublishedTests(DeOldifyReference reference, ITestOutputHelper output) : IClassFixture<DeOldifyReference>, IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("workbench-deoldify-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Against PyTorch's float64 run of the twin, within 8× PyTorch's own float32 error (at least 1e-5 relative).</summary>
    private void AssertMatchesTwin(Tensor actual, string key)
    {
        var tolerance = Math.Max(1e-5, 8 * ColorizeReference.Error(reference[key], reference[key + "64"]));
        var error = ColorizeReference.Error(actual, reference[key + "64"]);
        output.WriteLine($"{key}: error {error:E2} vs float64 (tolerance {tolerance:E2}; PyTorch float32's {tolerance / 8:E2})");
        Assert.True(error <= tolerance, $"{key}: error {error:E2} vs float64 > tolerance {tolerance:E2}");
    }

    private static double PsnrOf(Tensor a, Tensor b) => Psnr.Compute(a, b).item<float>();

    [Theory]
    [InlineData("artistic")]
    [InlineData("stable")]
    public void PublishedFilesLoadByTheirKeysAndColorizeAsUpstreamsFilter(string name)
    {
        using var scope = torch.NewDisposeScope();
        // As `workbench colorize --model ColorizeArtistic_gen.pth --render-factor 4 IN OUT` runs: no metadata, no --arch.
        using var colorizer = Colorizer.Load(reference.PathOf(name + ".pth"), new ColorizerOptions { RenderSize = 4 * DeOldifyPipeline.RenderBase });
        Assert.Equal(new ModelFileInfo("deoldify-" + name, ModelFile.NoSpec, ModelRegistry.Tasks.Colorize), colorizer.Info);
        using (torch.no_grad())
        {
            AssertMatchesTwin(colorizer.Model.call(reference["net/x"]), name + "/out");
            // Eval runs no power iteration: spectral norm uses the file's u and v, every time.
            AssertMatchesTwin(colorizer.Model.call(reference["net/x"]), name + "/out");
        }

        var photo = ImageIO.Read(reference.PathOf("photo.png"));
        var raw = colorizer.Render(photo) * 255;
        var rawDiff = (raw - reference[name + "/pipeline/raw"].to(ScalarType.Float32)).abs();
        output.WriteLine($"model image: {rawDiff.gt(0.5).sum().item<long>()} of {rawDiff.numel()} bytes differ from upstream's (max {rawDiff.max().item<float>()})");

        var result = Path.Combine(folder, name + ".png");
        colorizer.ColorizeFile(reference.PathOf("photo.png"), result);
        var written = ImageIO.Read(result);
        var upstream = reference[name + "/pipeline/png"].to(ScalarType.Float32) / 255;
        var psnr = PsnrOf(written, upstream);
        var diff = (written - upstream).abs() * 255;
        output.WriteLine($"{name}: {psnr:F1} dB against upstream's post-processed image; {diff.gt(0.5).sum().item<long>()} of {diff.numel()} bytes differ (max {diff.max().item<float>()})");
        Assert.Equal(photo.shape, written.shape);
        Assert.True(psnr >= 45, $"{name}: {psnr:F1} dB against upstream's image");
    }

    [Fact]
    public void EachPublishedLayoutFitsOneEntryAndNothingElseFitsIt()
    {
        using var scope = torch.NewDisposeScope();
        var artistic = WeightsFile.ReadStateDict(reference.PathOf("artistic.pth"));
        Assert.Equal(["deoldify-artistic"], ModelRegistry.Recognise(artistic).Select(r => r.Entry.Name));
        Assert.Empty(ModelRegistry.Recognise(artistic, ModelRegistry.Tasks.SuperResolution));

        // Upstream's keys and shapes are ours, key for key (keys.txt: what the twin's state_dict holds).
        using (var ours = DeOldifyGenerators.Artistic())
        {
            var expected = File.ReadAllLines(reference.PathOf("keys.txt")).Where(l => l.StartsWith("artistic ", StringComparison.Ordinal))
                .Select(l => l.Split(' ', 3)[1]).ToList();
            Assert.Equal(expected, ours.state_dict().Keys.ToList());
        }

        // Files saved before PyTorch 0.4.1 lack num_batches_tracked: still upstream's layout.
        Assert.Equal(["deoldify-artistic"], ModelRegistry.Recognise(artistic.Where(kv => !kv.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal)).ToDictionary())
            .Select(r => r.Entry.Name));
        // One key short, one too many, or a shape changed: not upstream's network.
        Assert.Empty(ModelRegistry.Recognise(artistic.Where(kv => kv.Key != "layers.10.layers.0.0.bias").ToDictionary()));
        Assert.Empty(ModelRegistry.Recognise(new Dictionary<string, Tensor>(artistic) { ["layers.13.weight"] = torch.zeros(1) }));
        Assert.Empty(ModelRegistry.Recognise(new Dictionary<string, Tensor>(artistic) { ["layers.8.conv.0.weight_g"] = torch.zeros(4, 1, 1, 1) }));
        // Our own "artistic" preset (the same network but a spectral-normalized, unblurred last shuffle) is not the published layout.
        using var unet = UnetSpec.Preset("artistic").Build();
        Assert.Empty(ModelRegistry.Recognise(unet.state_dict()));
    }
}
