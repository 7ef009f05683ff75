using System.Text.Json;

using Workbench.Logging;
using Workbench.Testing;

namespace Workbench.Cli.Tests;

/// <summary>`evaluate colorize|sr` with the shipped models, JSON scores, and plain tables when stdout is not a terminal.</summary>
public class EvaluateCommandTests
{
    /// <summary>Two held-out colour photos: small crops of the repository's test images.</summary>
    private static string Photos(string dir)
    {
        var data = Directory.CreateDirectory(Path.Combine(dir, "photos")).FullName;
        foreach (var name in new[] { "chelsea.jpg", "coffee.jpg" })
        {
            using var scope = Torch.torch.NewDisposeScope();
            var image = Data.ImageIO.Read(Path.Combine(PythonReference.RepoRoot, "test_images", name));
            Data.ImageIO.Write(Path.Combine(data, Path.ChangeExtension(name, ".png")), Data.ImageCrop.CenterCrop(image, 64, 96));
        }
        return data;
    }

    [Fact]
    public void ColorizeUsesTheShippedModelAndWritesJsonWithAbAccuracy()
    {
        using var dir = new CliTestFiles.TempDir();
        var json = Path.Combine(dir.Path, "scores.json");
        var r = CliProcess.Run("evaluate", "colorize", "--data", Photos(dir.Path), "--render-size", "64", "--json", json);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain("\u001b", r.Stdout);
        Assert.Contains("ab acc <10", r.Stdout);
        Assert.Contains("colorizer.safetensors", r.Stdout);
        Assert.Equal(3, r.Stdout.Split('\n').Count(l => l.StartsWith("mean ", StringComparison.Ordinal)));

        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var means = doc.RootElement.GetProperty("means").EnumerateArray().ToDictionary(m => m.GetProperty("method").GetString()!);
        Assert.Equal(new[] { "input", "model", "sepia" }, means.Keys.Order(StringComparer.Ordinal));
        foreach (var m in means.Values)
        {
            Assert.InRange(m.GetProperty("ab_accuracy_10").GetDouble(), 0, 1);
            Assert.True(m.GetProperty("chroma_error").GetDouble() > 0);
        }
        Assert.Equal(6, doc.RootElement.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public void ColorizeScoresSeveralFoldersAndPutsThemSideBySide()
    {
        using var dir = new CliTestFiles.TempDir();
        var inDomain = Photos(dir.Path);
        var heldOut = Directory.CreateDirectory(Path.Combine(dir.Path, "out-of-domain")).FullName;
        File.Copy(Directory.GetFiles(inDomain)[0], Path.Combine(heldOut, "one.png"));
        var json = Path.Combine(dir.Path, "scores.json");
        var r = CliProcess.Run("evaluate", "colorize", "--data", inDomain, heldOut, "--render-size", "64", "--json", json);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("per folder, model vs the unchanged input", r.Stdout);
        var summary = r.Stdout.Split('\n').Where(l => l.StartsWith(inDomain, StringComparison.Ordinal) || l.StartsWith(heldOut, StringComparison.Ordinal)).ToList();
        Assert.Equal(2, summary.Count);
        Assert.Matches(@" of 2 ", summary[0]);
        Assert.Matches(@" of 1 ", summary[1]);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        Assert.Equal(new[] { inDomain, heldOut }, doc.RootElement.EnumerateArray().Select(e => e.GetProperty("data").GetString()));
    }

    [Fact]
    public void TuneColorizerChoosesADecodingOnSeveralFoldersForAnEnsembleAndSavesItWithClassWeights()
    {
        using var dir = new CliTestFiles.TempDir();
        var photos = Photos(dir.Path);
        var tuned = Path.Combine(dir.Path, "tuned.safetensors");
        // The shipped colorizer as a file that did not record its class weights (as older files), so --train measures them.
        var shipped = Path.Combine(dir.Path, "unweighted.safetensors");
        var (original, info) = Inference.ModelFile.Load(Path.Combine(PythonReference.RepoRoot, "models", "colorizer.safetensors"));
        var shippedMembers = Models.Colorization.ZhangSpec.FromJson(info.Architecture).Members;
        static string ConfigKey(int net) => net == 1 ? "config" : $"config_net{net}";
        var metadata = Inference.ModelFile.Metadata(info, Enumerable.Range(1, shippedMembers).ToDictionary(ConfigKey, n => $"how network {n} was trained"));
        using (original)
            Torch.Serialization.SafeTensors.Save(shipped, original.state_dict().Where(kv => kv.Key != Models.Colorization.ZhangColorizer.ClassLogWeightKey).ToDictionary(), metadata);
        var more = Directory.CreateDirectory(Path.Combine(dir.Path, "more")).FullName;
        File.Copy(Directory.GetFiles(photos)[0], Path.Combine(more, "third.png"));
        var r = CliProcess.Run("evaluate", "tune-colorizer", shipped, "--ensemble-with", shipped, "--data", photos, more, "--train", photos,
            "--temperatures", "0.5", "1", "--chroma-scales", "0.7", "1.2", "--smoothings", "4", "--prior-corrections", "0", "1", "--certainties", "0", "2", "--render-size", "64", "--out", tuned);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var members = 2 * Models.Colorization.ZhangSpec.FromJson(Inference.ModelFile.ReadInfo(shipped).Architecture).Members; // the shipped file, twice
        Assert.Contains($"ensemble of {members} networks", r.Stdout);
        Assert.Contains("class weights measured on", r.Stdout);
        Assert.Contains("T = 1.00, chroma × 1.20, smoothing σ 4, prior correction α 1, certainty κ 2:", r.Stdout); // the grid asked for was tried
        Assert.Contains("on 3 validation photos", r.Stdout);                                         // both folders
        Assert.Contains("leave-one-photo-out estimate of this choice: chroma error", r.Stdout);
        Assert.Contains($"wrote {tuned}", r.Stdout);

        var (model, _) = Inference.ModelFile.Load(tuned);
        using (model)
        {
            var zhang = Assert.IsType<Models.Colorization.ZhangColorizer>(model);
            Assert.True(zhang.HasClassWeights);
            Assert.Equal(members, zhang.Nets.Count);
            Assert.Contains(zhang.Decoding.ToString(), r.Stdout); // the file decodes as the log says it chose
        }
        // Every network's training config travels with it, renumbered by its place in the new ensemble.
        var tunedMeta = Torch.Serialization.SafeTensors.ReadHeader(tuned).Metadata;
        for (var net = 1; net <= members; net++) Assert.Equal($"how network {(net - 1) % shippedMembers + 1} was trained", tunedMeta[ConfigKey(net)]);
        var bad = CliProcess.Run("evaluate", "tune-colorizer", shipped, "--data", photos, "--prior-corrections", "2", "--out", tuned);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--prior-corrections must lie in [0, 1]", bad.Stderr);
        bad = CliProcess.Run("evaluate", "tune-colorizer", shipped, "--data", photos, "--temperatures", "0", "--out", tuned);
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("--temperatures and --chroma-scales must be above 0", bad.Stderr);
    }

    [Fact]
    public void SrScoresTheShippedEspcnAgainstBicubic()
    {
        using var dir = new CliTestFiles.TempDir();
        var json = Path.Combine(dir.Path, "sr.json");
        var r = CliProcess.Run("evaluate", "sr", "--data", Photos(dir.Path), "--json", json);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain("\u001b", r.Stdout);
        Assert.Contains("PSNR-Y dB", r.Stdout);
        Assert.Contains("espcn", r.Stdout);
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        var mean = doc.RootElement.GetProperty("mean");
        Assert.InRange(mean.GetProperty("psnr_y").GetDouble(), 15, 60);
        Assert.InRange(mean.GetProperty("psnr_y_bicubic").GetDouble(), 15, 60);
        Assert.Equal(2, doc.RootElement.GetProperty("images").GetArrayLength());
    }

    [Fact]
    public void TensorBoardSummaryIsPlainAndUnwrappedWhenPiped()
    {
        using var dir = new CliTestFiles.TempDir();
        const string Tag = "a/very/long/tag/name/that/would/never/fit/in/eighty/columns/with/the/run/folder/beside/it";
        using (var writer = new SummaryWriter(Path.Combine(dir.Path, "run")))
            for (var step = 0; step < 3; step++) writer.AddScalar(Tag, 0.5 * step, step);
        var r = CliProcess.Run("tensorboard-summary", Path.Combine(dir.Path, "run"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.DoesNotContain("\u001b", r.Stdout);
        Assert.Contains(r.Stdout.Split('\n'), line => line.Contains(Tag, StringComparison.Ordinal) && line.Contains("0..2", StringComparison.Ordinal));
    }

    [Fact]
    public void TrainColorizeAcceptsRun()
    {
        var r = CliProcess.Run("train", "colorize", "--run", "my-run", "--print-config");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains($"\"run\": \"{Path.Combine("runs", "my-run")}\"", r.Stdout);
    }
}
