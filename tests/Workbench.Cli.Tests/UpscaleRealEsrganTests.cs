using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;
using Workbench.Video;

using Xunit.Abstractions;

namespace Workbench.Cli.Tests;

/// <summary>The twin's folder (tests/reference/realesrganer_reference.py): small published-layout checkpoints, images and upstream's outputs.</summary>
public sealed class RealEsrganTwinFolder : IDisposable
{
    public string Folder { get; } = PythonReference.Run("realesrganer_reference.py");

    public string PathOf(string name) => Path.Combine(Folder, name);

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}

/// <summary><c>workbench upscale</c> with Real-ESRGAN's flags writes what inference_realesrgan.py writes, for a file and a folder.</summary>
public sealed class UpscaleRealEsrganTests(RealEsrganTwinFolder twin, ITestOutputHelper output) : IClassFixture<RealEsrganTwinFolder>
{
    [Fact]
    public void TileTilePadPrePadAndOutscaleOnAFileMatchUpstream()
    {
        using var dir = new CliTestFiles.TempDir();
        var result = Path.Combine(dir.Path, "out.png");
        var r = CliProcess.Run("upscale", twin.PathOf("rgb8.png"), result, "--model", twin.PathOf("RealESRGAN_x2plus_small.pth"),
            "--tile", "32", "--tile-pad", "10", "--pre-pad", "10", "--outscale", "3.5");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("61x45 → 213x157", r.Stdout);
        AssertMatches("x2_tile32_outscale3.5", result);
    }

    [Fact]
    public void AFolderKeepsAlphaThroughTheNetworkAsUpstreamDoes()
    {
        using var dir = new CliTestFiles.TempDir();
        var input = Directory.CreateDirectory(Path.Combine(dir.Path, "in")).FullName;
        File.Copy(twin.PathOf("rgba8.png"), Path.Combine(input, "rgba8.png"));
        File.Copy(twin.PathOf("gray8.png"), Path.Combine(input, "gray8.png"));
        var result = Path.Combine(dir.Path, "out");
        // A .pth model picks Real-ESRGAN's pipeline without --pipeline.
        var r = CliProcess.Run("upscale", input, result, "--model", twin.PathOf("realesr-general-x4v3_small.pth"), "--tile", "24", "--pre-pad", "10");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("2 of 2 image(s) upscaled x4", r.Stdout);
        AssertMatches("compact_rgba_model", Path.Combine(result, "rgba8.png"));
        AssertMatches("compact_gray", Path.Combine(result, "gray8.png"));
    }

    [Theory]
    [InlineData("--pipeline", "workbench", "--outscale", "2")]
    [InlineData("--overlap", "8")]
    [InlineData("--alpha", "nearest")]
    [InlineData("--pipeline", "upstream")]
    [InlineData("--pre-pad", "100")]
    public void MixedOrBadFlagsAreUsageErrors(params string[] flags)
    {
        using var dir = new CliTestFiles.TempDir();
        var result = Path.Combine(dir.Path, "out.png");
        var r = CliProcess.Run(["upscale", twin.PathOf("rgb8.png"), result, "--model", twin.PathOf("realesr-general-x4v3_small.pth"), .. flags]);
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: ", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(result));
    }

    private void AssertMatches(string name, string path)
    {
        using var scope = torch.NewDisposeScope();
        var expected = SafeTensors.Load(twin.PathOf("expected.safetensors"))[name];
        var actual = ImageSamples.Read(path);
        Assert.Equal(expected.shape, actual.shape);
        var mse = (actual.to(ScalarType.Float64) - expected.to(ScalarType.Float64)).square().mean().item<double>();
        var psnr = 10 * Math.Log10(255.0 * 255.0 / mse);
        output.WriteLine($"{name}: {(mse == 0 ? "identical" : $"{psnr:F1} dB")} against Real-ESRGAN's pipeline");
        Assert.True(psnr >= 45, $"{name}: {psnr:F1} dB");
    }

    [Fact]
    public void APublishedCheckpointUpscalesAVideoThroughRealEsrgansPipeline() // one fixture: PythonReference caches the twin's folder, and each fixture deletes it
    {
        using var dir = new CliTestFiles.TempDir();
        var input = Path.Combine(dir.Path, "clip.avi");
        using (var writer = new VideoWriter(input, 5, 40, 30))
            for (var t = 0; t < 3; t++) writer.Write(Enumerable.Range(0, 40 * 30 * 3).Select(i => (byte)((i / 3 % 40 + 7 * t) * 5)).ToArray());
        var output = Path.Combine(dir.Path, "clip-x2.mp4");
        var r = CliProcess.Run("upscale", input, output, "--model", twin.PathOf("RealESRGAN_x2plus_small.pth"), "--tile", "32");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("40x30 → 80x60", r.Stdout);
        using var reader = new VideoReader(output);
        Assert.Equal((80, 60, 3L), (reader.Info.Width, reader.Info.Height, reader.Info.FrameCount));
    }
}
