using System.Text.Json.Nodes;

using Workbench.Logging;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Testing;
using Workbench.Torch.Serialization;
using Workbench.Training;
using Workbench.Training.Callbacks;
using Workbench.Evaluation;

namespace Workbench.Tests.Recipes;

[Collection(SequentialCollection.Name)]
public sealed class SuperResolutionRecipeTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-sr-recipe-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>A run of seconds: ESPCN x2 as a residual over bicubic, 3 pixel steps and 4 GAN steps (2 critic steps per G step, random-VGG perceptual term).</summary>
    private SrTrainingConfig Smoke()
    {
        var (train, test) = SrTestData.Create(Path.Combine(root, "data"));
        return SuperResolutionRecipe.Resolve(overrides:
        [
            $"trainDir={train}", $"testDir={test}", $"runsDir={Path.Combine(root, "runs")}",
            "channels=8", "cropSize=24", "batchSize=2", "lossBorder=2", "workers=0",
            "pretrainIterations=3", "ganIterations=4", "criticChannels=4", "perceptualWeight=0.01", "criticStepsPerGeneratorStep=2", "jpegProbability=0.5", "noiseProbability=0.5",
            "validateEvery=3", "validationCrop=32", "imageEvery=3", "histogramEvery=3", "checkpointEvery=3",
        ]);
    }

    [Fact]
    public void DefaultsResolveAndOverridesApply()
    {
        var c = SuperResolutionRecipe.Resolve(overrides: ["arch=rrdb", "scale=4", "ganIterations=100", "criticLrRatio=2"]);
        Assert.Equal("rrdb", c.Arch);
        Assert.Equal(4, c.Scale);
        Assert.Equal(100, c.GanIterations);
        Assert.Equal(2, c.CriticLrRatio);
        var d = new SrTrainingConfig();
        Assert.Equal("espcn", d.Arch);
        Assert.Equal(2, d.Scale);
        Assert.True(d.JpegQualityMax < 100);
        Assert.Equal(0, d.PerceptualWeight); // random VGG weights: the default recipe does not lean on them
        Assert.Equal("sr-rrdb-x4", SuperResolutionRecipe.DefaultRunName(c));
        var schedule = SuperResolutionRecipe.BuildSchedule(c);
        Assert.Equal(new[] { PhaseKind.PretrainGenerator, PhaseKind.Gan }, schedule.Phases.Select(p => p.Kind));
    }

    [Theory]
    [InlineData("jpegQualityMax=100", "never 100")]
    [InlineData("arch=srgan", "known: ")]
    [InlineData("applyTwice=true", "scale must be 4")]
    [InlineData("cropSize=63", "multiple of scale")]
    [InlineData("downscaleKernels=lanczos", "unknown downscale kernel")]
    [InlineData("pixelLoss=huber", "pixelLoss")]
    public void InconsistentValuesAreRefusedWithTheReason(string assignment, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => SuperResolutionRecipe.Resolve(overrides: [assignment]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void SmokeRunWritesTensorBoardCheckpointsConfigWeightsAndSummary()
    {
        var config = Smoke();
        var result = SuperResolutionRecipe.Run(config, options: new SrRunOptions("smoke"));

        Assert.True(result.Completed);
        Assert.Equal(7, result.Steps);
        var run = result.RunDirectory;
        Assert.True(File.Exists(Checkpointer.LatestPath(run)));
        Assert.Equal(7, Checkpoint.ReadPosition(Checkpointer.LatestPath(run)).GlobalStep);
        Assert.Equal(config, SuperResolutionRecipe.SavedConfig(run));

        var tags = EventFileReader.Summarize(Path.Combine(run, "tb")).Select(t => t.Tag).ToHashSet();
        foreach (var tag in new[] { "loss/pixel_l1", "loss/critic", "loss/adversarial", "loss/perceptual", "validation/psnr_y", "validation/psnr_y_bicubic", "validation/ssim_y", "lr/generator", "lr/critic" })
            Assert.Contains(tag, tags);
        Assert.Contains(result.LossHistory, r => r.Name == "val_psnr_y" && r.Step == 7);

        // The exported weights rebuild through the registry, as `workbench upscale --model` does.
        var metadata = SafeTensors.ReadHeader(result.WeightsPath!).Metadata;
        Assert.Equal("espcn", metadata["arch"]);
        Assert.Equal("2", metadata["scale"]);
        Assert.Equal("32", metadata["channels"]); // the residual ESPCN(8) folded with the 2·3·2² bicubic channels
        Assert.True(result.WeightsLoadableByUpscale);
        var (model, arch, scale) = SuperResolutionModels.Load(result.WeightsPath!);
        using (model)
        {
            Assert.Equal(("espcn", 2L), (arch, scale));
            using var validation = SrValidationSet.Load(config.TestDir, 2, config.ValidationCrop);
            // Folding is exact away from the border; at the border bicubic's edge rule and the conv's mirrored padding differ slightly.
            Assert.Equal(result.Scores!.MeanPsnrY, validation.Evaluate(model).MeanPsnrY, 1);
        }

        var summary = JsonNode.Parse(File.ReadAllText(result.SummaryPath))!;
        Assert.Equal(result.Scores!.MeanPsnrY, summary["validation"]!["psnr_y"]!.GetValue<double>(), 3);
        Assert.Equal(result.BeatsBicubic, summary["validation"]!["beats_bicubic"]!.GetValue<bool>());
        Assert.True(summary["residual_over_bicubic"]!.GetValue<bool>());
    }

    [Fact]
    public void AnInterruptedRunResumesFromItsCheckpointAndMatchesTheUninterruptedRun()
    {
        var config = Smoke();
        var full = SuperResolutionRecipe.Run(config, options: new SrRunOptions("full"));

        using var cancel = new CancellationTokenSource();
        var first = SuperResolutionRecipe.Run(config, new CancelAt(4, cancel), cancel.Token, new SrRunOptions("split"));
        Assert.True(first.Interrupted);
        Assert.Null(first.WeightsPath);
        Assert.Equal(4, first.Steps);
        Assert.Contains("--overwrite", Assert.Throws<ArgumentException>(() => SuperResolutionRecipe.Run(config, options: new SrRunOptions("split"))).Message); // no silent overwrite

        var second = SuperResolutionRecipe.Run(config, options: new SrRunOptions("split", Existing: ExistingRun.Resume));
        Assert.True(second.Completed);
        Assert.Equal(7, second.Steps);
        static IEnumerable<(long, string, double)> Losses(IEnumerable<(long Step, string Phase, string Name, double Value)> rows) =>
            rows.Where(r => !r.Name.StartsWith("val_", StringComparison.Ordinal)).Select(r => (r.Step, r.Name, r.Value));
        // The resumed run's history starts with the interrupted run's rows (read back from losses.csv): the whole run.
        Assert.Equal(Losses(full.LossHistory), Losses(second.LossHistory));
        Assert.Equal(full.Scores!.MeanPsnrY, second.Scores!.MeanPsnrY, 10);
    }

    [Fact]
    public void FineTunesFromAPublishedCheckpointWhoseShapesDecideTheNetwork()
    {
        // Real-ESRGAN's layout (params_ema in a .pth): rrdb x4 with 8 features and 2 blocks, not the config's channels=8/blocks default.
        var published = Path.Combine(PythonReference.Run("published_sr_checkpoints.py"), "RealESRGAN_x4plus_tiny.pth");
        var (train, test) = SrTestData.Create(Path.Combine(root, "data"));
        var c = SuperResolutionRecipe.Resolve(overrides:
        [
            $"trainDir={train}", $"testDir={test}", $"runsDir={Path.Combine(root, "runs")}", $"initWeights={published}", "arch=rrdb", "scale=4", "residualOverBicubic=false",
            "cropSize=32", "batchSize=1", "workers=0", "pretrainIterations=2", "ganIterations=0", "validateEvery=0", "validationCrop=32",
        ]);
        using (var initial = SuperResolutionRecipe.BuildGenerator(c))
        using (var expected = SuperResolutionModels.Load(published).Model)
            foreach (var (name, value) in expected.state_dict())
                Assert.True(value.equal(initial.state_dict()[name]), $"{name} was not taken from the file");
        var result = SuperResolutionRecipe.Run(c, options: new SrRunOptions("finetune"));
        var metadata = SafeTensors.ReadHeader(result.WeightsPath!).Metadata;
        Assert.Equal(("rrdb", "4", "8", "2"), (metadata["arch"], metadata["scale"], metadata["channels"], metadata["num_block"]));

        Assert.Contains("set residualOverBicubic=false", Assert.Throws<ArgumentException>(() => (c with { ResidualOverBicubic = true }).Check()).Message);
        var wrongScale = c with { Scale = 2 };
        Assert.Contains("holds a x4 'rrdb' network; the config trains a x2 'rrdb'", Assert.Throws<ArgumentException>(() => SuperResolutionRecipe.BuildGenerator(wrongScale)).Message);
    }

    [Fact]
    public void ResumingWithoutACheckpointIsAClearError()
    {
        var e = Assert.Throws<FileNotFoundException>(() => SuperResolutionRecipe.Run(Smoke(), options: new SrRunOptions("none", Existing: ExistingRun.Resume)));
        Assert.Contains("nothing to resume", e.Message);
    }

    /// <summary>Cancels the token once the run reports step <paramref name="step"/> (as Ctrl-C would).</summary>
    private sealed class CancelAt(long step, CancellationTokenSource cancel) : IProgressSink
    {
        public void Begin(string title, long total) { }

        public void Report(long done, double itemsPerSecond, TimeSpan eta, string status)
        {
            if (done == step) cancel.Cancel();
        }

        public void End(string summary) { }
    }
}
