using System.Security.Cryptography;

using Workbench.Testing;
using Workbench.Torch.Serialization;

namespace Workbench.Cli.Tests;

/// <summary><c>workbench import</c> and the commands that take a published <c>.pth</c> as it is.</summary>
public class ImportCommandTests
{
    private static string Published(string file) => Path.Combine(PythonReference.Run("published_sr_checkpoints.py"), file);

    [Fact]
    public void ListPrintsKeysDtypesShapesAndWhatTheRegistryRecognises()
    {
        var r = CliProcess.Run("import", Published("RealESRGAN_x4plus_tiny.pth"), "--list");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Matches(@"conv_first\.weight\s+float32\s+\[8, 3, 3, 3\]", r.Stdout);
        Assert.Contains("recognised as: rrdb (BasicSR RRDBNet", r.Stdout);
    }

    [Fact]
    public void ImportWritesTheArchitectureAndTheSourceHashAndUpscaleTakesEitherFile()
    {
        using var dir = new CliTestFiles.TempDir();
        var source = Published("RealESRGAN_x2plus_tiny.pth");
        var imported = Path.Combine(dir.Path, "x2.safetensors");
        var r = CliProcess.Run("import", source, "-o", imported);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var metadata = SafeTensors.ReadHeader(imported).Metadata;
        Assert.Equal(("rrdb", "superres", "2", "8", "2"), (metadata["arch"], metadata["task"], metadata["scale"], metadata["channels"], metadata["num_block"]));
        Assert.Equal(Path.GetFileName(source), metadata["source"]);
        using (var stream = File.OpenRead(source)) Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(stream)), metadata["source_sha256"]);

        var photo = Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png");
        foreach (var model in new[] { source, imported })
        {
            var output = Path.Combine(dir.Path, Path.GetFileName(model) + ".png");
            var u = CliProcess.Run("upscale", photo, output, "--model", model);
            Assert.True(u.ExitCode == 0, u.Stdout + u.Stderr);
            Assert.True(File.Exists(output));
        }
    }

    [Fact]
    public void AFileThatIsNotACheckpointGetsOneClearLine()
    {
        using var dir = new CliTestFiles.TempDir();
        var bogus = Path.Combine(dir.Path, "weights.pth");
        File.WriteAllText(bogus, "this is not a checkpoint");
        var r = CliProcess.Run("import", bogus, "-o", Path.Combine(dir.Path, "out.safetensors"));
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("weights.pth", r.Stderr);
        Assert.True(r.Stderr.Trim().Split('\n').Length <= 2, r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out.safetensors")));
    }
}
