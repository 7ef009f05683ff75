using Workbench.Testing;

using Workbench.Data;
using Workbench.Models.SuperResolution;

namespace Workbench.Cli.Tests;

/// <summary>The CLI as a user meets it: help, usage errors and bad files give exit codes and one readable line, no stack trace.</summary>
public class CliProcessTests
{
    [Fact]
    public void HelpListsTheCommandsAndExitsZero()
    {
        var r = CliProcess.Run("--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("upscale", r.Stdout);
        Assert.Contains("colorize", r.Stdout);
    }

    [Fact]
    public void SubcommandHelpWorks()
    {
        var r = CliProcess.Run("train", "colorize", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--resume", r.Stdout);
    }

    [Fact]
    public void UnknownCommandIsAUsageError()
    {
        var r = CliProcess.Run("colourise");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("colourise", r.Stderr);
    }

    [Fact]
    public void MissingInputNamesTheFileWithoutAStackTrace()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = Path.Combine(dir.Path, "espcn.safetensors");
        using (var espcn = SuperResolutionModels.Create("espcn", 2)) SuperResolutionModels.Save(espcn, model);
        var missing = Path.Combine(dir.Path, "no-such-photo.png");
        var r = CliProcess.Run("upscale", missing, Path.Combine(dir.Path, "out.png"), "--model", model);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("no-such-photo.png", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    [Fact]
    public void CorruptInputNamesTheFileAndTheProblem()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var bad = Path.Combine(dir.Path, "truncated.jpg");
        File.WriteAllBytes(bad, new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 16, (byte)'J', (byte)'F' });
        var r = CliProcess.Run("colorize", bad, Path.Combine(dir.Path, "out.png"), "--model", model);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("truncated.jpg", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out.png")));
    }

    [Fact]
    public void ABadImageInAFolderDoesNotStopTheBatch()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = Directory.CreateDirectory(Path.Combine(dir.Path, "in")).FullName;
        File.WriteAllBytes(Path.Combine(input, "a-broken.png"), new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' });
        File.Copy(Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png"), Path.Combine(input, "b-coins.png"));
        var output = Path.Combine(dir.Path, "out");
        var r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "64");
        Assert.Contains("a-broken.png", r.Stdout + r.Stderr);
        Assert.True(File.Exists(Path.Combine(output, "b-coins.png")), r.Stdout + r.Stderr);
    }

    [Fact]
    public void RenderFactorIsSixteenPixelsASideAndSeveralAreSideBySide()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png");
        var (bySize, byFactor, grid) = (Path.Combine(dir.Path, "size.png"), Path.Combine(dir.Path, "factor.png"), Path.Combine(dir.Path, "grid.png"));
        Assert.Equal(0, CliProcess.Run("colorize", input, bySize, "--model", model, "--render-size", "64").ExitCode);
        var r = CliProcess.Run("colorize", input, byFactor, "--model", model, "--render-factor", "4");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(File.ReadAllBytes(bySize), File.ReadAllBytes(byFactor));
        r = CliProcess.Run("colorize", input, grid, "--model", model, "--render-factor", "3,4");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(ImageIO.ReadInfo(grid).Width > ImageIO.ReadInfo(bySize).Width);
        r = CliProcess.Run("colorize", input, grid, "--model", model, "--render-factor", "4,x", "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--render-factor", r.Stderr);
    }

    [Fact]
    public void ShippedModelsAreTheDefaults()
    {
        using var dir = new CliTestFiles.TempDir();
        var colorized = Path.Combine(dir.Path, "coins-color.png");
        var r = CliProcess.Run("colorize", Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png"), colorized, "--render-size", "128");
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.True(File.Exists(colorized));
        var upscaled = Path.Combine(dir.Path, "coins-x2.png");
        r = CliProcess.Run("upscale", Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png"), upscaled);
        Assert.True(r.ExitCode == 0, r.Stderr);
        Assert.Equal(2 * ImageIO.ReadInfo(Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png")).Width, ImageIO.ReadInfo(upscaled).Width);
    }
}
