using Workbench.Models.SuperResolution;

namespace Workbench.Cli.Tests;

/// <summary>A model file of the wrong kind gets one or two lines: what the file is and what was expected, no key dump.</summary>
public class ModelMismatchTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void UpscaleWithAColorizerSaysWhatTheFileIs(bool withArch)
    {
        using var dir = new CliTestFiles.TempDir();
        var colorizer = CliTestFiles.TinyColorizer(dir.Path);
        var photo = Path.Combine(Workbench.Testing.PythonReference.RepoRoot, "test_images", "coins.png");
        var args = new List<string> { "upscale", photo, Path.Combine(dir.Path, "out.png"), "--model", colorizer };
        if (withArch) args.AddRange(new[] { "--arch", "espcn" });
        var r = CliProcess.Run(args.ToArray());
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is a colorize model (DynamicUnet), not a super-resolution network", r.Stderr);
        Assert.True(r.Stderr.Trim().Split('\n').Length <= 2 && r.Stderr.Length < 600, r.Stderr);
    }

    [Fact]
    public void ColorizeWithAnSrModelSaysWhatTheFileIs()
    {
        using var dir = new CliTestFiles.TempDir();
        var espcn = Path.Combine(dir.Path, "espcn-x2.safetensors");
        using (var model = SuperResolutionModels.Create("espcn", 2)) SuperResolutionModels.Save(model, espcn);
        var photo = Path.Combine(Workbench.Testing.PythonReference.RepoRoot, "test_images", "coins.png");
        var r = CliProcess.Run("colorize", photo, Path.Combine(dir.Path, "out.png"), "--model", espcn);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("is a x2 super-resolution network ('espcn'), not a colorization model", r.Stderr);
        Assert.DoesNotContain("does not say which network", r.Stderr);
        Assert.True(r.Stderr.Trim().Split('\n').Length <= 2 && r.Stderr.Length < 600, r.Stderr);
    }
}
