using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Cli.Tests;

/// <summary>`colorize` and `upscale` never lose a file: one output per input, no silent overwrite, never over an input.</summary>
public class BatchOutputTests
{
    private static readonly string[] SameStems = { "gray.jpg", "gray.png", "photo.bmp", "photo.tif", "photo.webp" };

    private static string Photos(string dir, params string[] names)
    {
        var input = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        using var scope = torch.NewDisposeScope();
        foreach (var name in names) ImageIO.Write(Path.Combine(input, name), torch.rand(3, 24, 20));
        return input;
    }

    [Fact]
    public void ColorizeFolderWritesEverySameStemInputAndSaysHowItNamedThem()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = Photos(dir.Path, SameStems);
        var output = Path.Combine(dir.Path, "out");
        var r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "32");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(SameStems.Select(n => n + ".png"), Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Contains("keep the source extension", r.Stdout);
        Assert.Contains("gray.jpg → gray.jpg.png", r.Stdout);
        Assert.Contains("5 of 5 photo(s) written", r.Stdout);

        // Again: refused before any work, nothing touched; with --overwrite it runs.
        var before = File.GetLastWriteTimeUtc(Path.Combine(output, "gray.png.png"));
        r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "32");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("already exist", r.Stderr);
        Assert.Contains("--overwrite", r.Stderr);
        Assert.Equal(before, File.GetLastWriteTimeUtc(Path.Combine(output, "gray.png.png")));
        r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "32", "--overwrite");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Empty(Directory.GetFiles(output, ".*")); // written atomically: no temporary files left
    }

    [Fact]
    public void ColorizeRefusesToWriteOverItsInputOrAnExistingFile()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = Photos(dir.Path, "x.jpg");
        var photo = Path.Combine(input, "x.jpg");
        var original = File.ReadAllBytes(photo);

        var r = CliProcess.Run("colorize", photo, photo, "--model", model, "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is the input", r.Stderr);
        r = CliProcess.Run("colorize", input, input, "--model", model);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is the input folder", r.Stderr);
        Assert.Equal(original, File.ReadAllBytes(photo));

        var existing = Path.Combine(dir.Path, "kept.png");
        File.WriteAllText(existing, "not to be lost");
        r = CliProcess.Run("colorize", photo, existing, "--model", model);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--overwrite", r.Stderr);
        Assert.Equal("not to be lost", File.ReadAllText(existing));
    }

    [Fact]
    public void UpscaleFollowsTheSameRules()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = Path.Combine(dir.Path, "espcn.safetensors");
        using (var espcn = SuperResolutionModels.Create("espcn", 2)) SuperResolutionModels.Save(espcn, model);
        var input = Photos(dir.Path, "gray.jpg", "gray.png");
        var output = Path.Combine(dir.Path, "out");
        var r = CliProcess.Run("upscale", input, output, "--model", model);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal(new[] { "gray.jpg", "gray.png" }, Directory.GetFiles(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        r = CliProcess.Run("upscale", input, output, "--model", model);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("already exist", r.Stderr);
        r = CliProcess.Run("upscale", input, input, "--model", model, "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is the input folder", r.Stderr);
        var photo = Path.Combine(input, "gray.png");
        r = CliProcess.Run("upscale", photo, photo, "--model", model, "--overwrite");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("is the input", r.Stderr);
        Assert.Equal(new long[] { 3, 24, 20 }, ImageIO.Read(photo).shape);
    }
}
