using Workbench.Data;
using Workbench.Inference;
using Workbench.Recipes;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Training;
using Workbench.Training.Callbacks;

namespace Workbench.Tests.Recipes;

[Collection(SequentialCollection.Name)]
public sealed class ColorizeRecipeTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-recipe-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private ColorizeConfig Smoke(string task = "colorize")
    {
        var data = Directory.CreateDirectory(Path.Combine(dir, "train")).FullName;
        var test = Directory.CreateDirectory(Path.Combine(dir, "test")).FullName;
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        for (var i = 0; i < 6; i++) ImageIO.Write(Path.Combine(data, $"{i}.png"), torch.rand(3, 72, 72));
        ImageIO.Write(Path.Combine(test, "t.png"), torch.rand(3, 50, 70));
        return Config.Resolve(ColorizeRecipe.Defaults(task), overrides: new[]
        {
            $"data={data}", $"validation={test}", $"run={Path.Combine(dir, "run")}", "generator=tiny", "criticWidth=8", "sizes=[64]", "batchSizes=[2]",
            "pretrainIterations=2", "criticIterations=1", "ganIterations=2", "imageEvery=2", "checkpointEvery=3", "validateEvery=0", "workers=0",
        });
    }

    [Fact]
    public void NoGanRecipeWritesCheckpointsConfigAndSelfDescribingWeightsThenResumes()
    {
        var config = Smoke();
        var result = ColorizeRecipe.Train(config);
        Assert.True(result.State.Completed, result.State.StopReason);
        Assert.Equal(5, result.State.GlobalStep);
        Assert.Equal(new[] { PhaseKind.PretrainGenerator, PhaseKind.PretrainCritic, PhaseKind.Gan }, ColorizeRecipe.BuildSchedule(config).Phases.Select(p => p.Kind));
        var checkpoints = Directory.GetFiles(Checkpointer.Directory(config.Run)).Select(Path.GetFileName).ToList();
        Assert.Contains("phase0_g64.safetensors", checkpoints);
        Assert.Contains("step_00000003.safetensors", checkpoints);
        Assert.Contains("config.json", checkpoints);
        Assert.Equal(Config.ToJson(config), Config.ToJson(Config.Resolve(ColorizeRecipe.Defaults("colorize"), Path.Combine(Checkpointer.Directory(config.Run), "config.json"))));
        Assert.NotNull(result.Validation);
        Assert.True(Directory.GetFiles(Path.Combine(config.Run, "tb")).Length > 0);

        using var scope = torch.NewDisposeScope();
        using var fromWeights = Colorizer.Load(result.WeightsPath, new ColorizerOptions { RenderSize = 64 });
        using var fromCheckpoint = Colorizer.Load(Checkpointer.LatestPath(config.Run), new ColorizerOptions { RenderSize = 64 });
        var photo = torch.rand(1, 40, 56);
        Assert.InRange((fromWeights.Colorize(photo) - fromCheckpoint.Colorize(photo)).abs().max().item<float>(), 0, 1e-6);

        // More GAN iterations, resumed from the latest checkpoint: only the new steps run.
        var longer = config with { GanIterations = 3 };
        var resumed = ColorizeRecipe.Train(longer, ExistingRun.Resume);
        Assert.Equal(6, resumed.State.GlobalStep);
    }

    [Fact]
    public void ZhangRecipeRecordsItsClassWeightsAndChoosesItsDecodingOnTheValidationPhotos()
    {
        var zhang = Smoke() with
        {
            Generator = "zhang", ZhangWidth = 4, Run = Path.Combine(dir, "zhang"), PretrainIterations = 2, CriticIterations = 0, GanIterations = 0,
            Temperatures = [0.7, 1.0], ChromaScales = [1.2], Smoothings = [2], PriorCorrections = [0, 1],
        };
        var result = ColorizeRecipe.Train(zhang);
        Assert.True(result.State.Completed, result.State.StopReason);
        var (model, _) = ModelFile.Load(result.WeightsPath);
        using (model)
        {
            var z = Assert.IsType<Workbench.Models.Colorization.ZhangColorizer>(model);
            Assert.True(z.HasClassWeights); // so a prior correction can divide them out later
            Assert.Contains(z.Decoding.Temperature, zhang.Temperatures);
            Assert.Equal(1.2, z.Decoding.ChromaScale);
            Assert.Contains(z.Decoding.PriorCorrection, zhang.PriorCorrections);

            // Training can start from an ensemble file (as the shipped colorizer is): it continues the first network.
            var ensemblePath = Path.Combine(dir, "ensemble.safetensors");
            using (var ensemble = Workbench.Models.Colorization.ZhangColorizer.Ensemble([z, z]))
                ModelFile.Save(ensemblePath, ensemble, new ModelFileInfo(nameof(Workbench.Models.Colorization.ZhangColorizer), ensemble.Spec.ToJson(), "colorize"));
            var continued = ColorizeRecipe.Train(zhang with { InitWeights = ensemblePath, Run = Path.Combine(dir, "zhang2"), PretrainIterations = 1 });
            Assert.True(continued.State.Completed, continued.State.StopReason);
        }
    }

    [Fact]
    public void DefadeAndHypercolumnVariantsTrainAndUnknownNamesFail()
    {
        var defade = Smoke("defade") with { CriticIterations = 0, GanIterations = 0 };
        var result = ColorizeRecipe.Train(defade);
        Assert.Equal("defade", ModelFile.ReadInfo(result.WeightsPath).Task);
        using (var restorer = Colorizer.Load(result.WeightsPath)) Assert.Equal(Recombination.AddResidual, restorer.Options.Mode);

        var hyper = Smoke() with { Generator = "hypercolumn-lab", Run = Path.Combine(dir, "hyper"), PretrainIterations = 1 };
        Assert.All(ColorizeRecipe.BuildSchedule(hyper).Phases, p => Assert.Equal(PhaseKind.Train, p.Kind));
        var hr = ColorizeRecipe.Train(hyper);
        Assert.True(hr.State.Completed);
        Assert.Contains("\"lab\"", ModelFile.ReadInfo(hr.WeightsPath).Architecture);

        Assert.Throws<ArgumentException>(() => ColorizeRecipe.Defaults("sharpen"));
        Assert.Throws<ArgumentException>(() => ColorizeRecipe.BuildGenerator(defade with { Generator = "enormous" }));
        Assert.Throws<ArgumentException>(() => Config.Resolve(ColorizeRecipe.Defaults("colorize"), overrides: new[] { "learningrate2=1" }));
    }

    [Fact]
    public void ARunFolderWithCheckpointsIsRefusedUnlessResumedOrOverwritten()
    {
        var config = Smoke() with { PretrainIterations = 1, CriticIterations = 0, GanIterations = 0, Run = Path.Combine(dir, "policy") };
        Assert.True(ColorizeRecipe.Train(config).State.Completed);
        Assert.Contains("--overwrite", Assert.Throws<ArgumentException>(() => ColorizeRecipe.Train(config)).Message);
        Assert.Equal(1, ColorizeRecipe.Train(config, ExistingRun.Overwrite).State.GlobalStep);
        Assert.Throws<FileNotFoundException>(() => ColorizeRecipe.Train(config with { Run = Path.Combine(dir, "none") }, ExistingRun.Resume));
    }

    [Fact]
    public void FineTuningDeOldifysArtisticGeneratorKeepsItsArchitecture()
    {
        var published = Path.Combine(dir, "ColorizeArtistic_gen.safetensors");
        using (var artistic = Workbench.Models.DeOldifyGenerators.Artistic())
            Workbench.Torch.Serialization.SafeTensors.Save(published, artistic.state_dict()); // a bare state_dict, as upstream's file
        var config = Smoke() with { InitWeights = published, Run = Path.Combine(dir, "finetune"), PretrainIterations = 1, CriticIterations = 0, GanIterations = 0 };
        var result = ColorizeRecipe.Train(config);
        Assert.True(result.State.Completed, result.State.StopReason);
        Assert.Equal(("deoldify-artistic", "colorize"), (ModelFile.ReadInfo(result.WeightsPath).Network, ModelFile.ReadInfo(result.WeightsPath).Task));
        using var scope = torch.NewDisposeScope();
        var tuned = Workbench.Torch.Serialization.SafeTensors.Load(result.WeightsPath);
        var before = Workbench.Torch.Serialization.SafeTensors.Load(published);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), tuned.Keys.Order(StringComparer.Ordinal)); // upstream's keys, so upstream loads it back
        Assert.Contains(before.Keys, k => !before[k].equal(tuned[k]));                                       // and one step changed it

        // A published generator replaces a U-Net preset only: a zhang config refuses it.
        Assert.Contains("the config trains a ZhangColorizer", Assert.Throws<ArgumentException>(() => ColorizeRecipe.Train(config with { Generator = "zhang", Run = Path.Combine(dir, "z") })).Message);
    }
}
