using System.Diagnostics;
using System.Globalization;

using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Losses;
using Workbench.Models.Discriminators;
using Workbench.Models.SuperResolution;
using Workbench.Torch;
using Workbench.Training;
using Workbench.Training.Callbacks;

namespace Workbench.Recipes;

/// <summary>
/// The super-resolution training recipe: pixel-loss pretraining, then (optionally) perceptual + GAN with the notes'
/// dilation critic, relativistic loss that stops rewarding fakes already more real than the real image, random
/// shift of the critic's view, k critic steps per generator step and a critic/generator LR ratio (TTUR). Pairs are
/// built on the fly from prepared crops; the held-out photos are scored (PSNR/SSIM on Y vs bicubic) during and
/// after training; at the end the generator is exported with its architecture metadata and a summary.json is
/// written. Everything it needs is in <see cref="SrTrainingConfig"/>.
/// </summary>
public static class SuperResolutionRecipe
{
    public static string DefaultRunName(SrTrainingConfig c) => $"sr-{c.Arch}-x{c.Scale}{(c.ApplyTwice ? "-twice" : "")}";

    /// <summary>Resolves a config: <paramref name="basis"/> (or the defaults), then a JSON file, then key=value overrides; checked.</summary>
    public static SrTrainingConfig Resolve(string? file = null, IEnumerable<string>? overrides = null, SrTrainingConfig? basis = null)
    {
        var config = Config.Resolve(basis ?? new SrTrainingConfig(), file, overrides);
        config.Check();
        return config;
    }

    /// <summary>The config saved beside a run's checkpoints (what --resume starts from).</summary>
    public static SrTrainingConfig? SavedConfig(string runDirectory)
    {
        var path = Path.Combine(Checkpointer.Directory(runDirectory), "config.json");
        return File.Exists(path) ? Config.Resolve(new SrTrainingConfig(), path) : null;
    }

    /// <summary>
    /// The generator as the config describes it: the registry network (x2 when applied twice), its head, bicubic
    /// init (ESPCN), the residual-over-bicubic wrapper, the applied-twice wrapper. Uses torch's global generator.
    /// </summary>
    public static nn.Module<Tensor, Tensor> BuildGenerator(SrTrainingConfig c)
    {
        var netScale = c.ApplyTwice ? 2 : c.Scale;
        var h = new Dictionary<string, string> { ["channels"] = Str(c.Channels), ["num_block"] = Str(c.Blocks) };
        if (c.Head != "default")
        {
            h["head_steps"] = c.Head;
            h["head_channels"] = Str(c.HeadChannels);
            h["head_convs_after"] = Str(c.HeadConvsAfter);
        }
        var net = c.InitWeights != "" ? LoadInitWeights(c, netScale) : SuperResolutionModels.Create(c.Arch, netScale, h);
        try
        {
            if (c.InitWeights == "" && c.BicubicInit && !c.ResidualOverBicubic && net is Espcn espcn && c.Head == "default") EspcnBicubic.Init(espcn);
            if (c.ResidualOverBicubic) net = new BicubicResidual(net);
            return c.ApplyTwice ? new AppliedTwice(net) : net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>The network in <see cref="SrTrainingConfig.InitWeights"/>, which must be the config's architecture and scale.</summary>
    private static nn.Module<Tensor, Tensor> LoadInitWeights(SrTrainingConfig c, long netScale)
    {
        var (net, arch, scale) = SuperResolutionModels.Load(c.InitWeights);
        if (arch == c.Arch && scale == netScale) return net;
        net.Dispose();
        throw new ArgumentException($"initWeights '{c.InitWeights}' holds a x{scale} '{arch}' network; the config trains a x{netScale} '{c.Arch}' (set arch={arch} scale={scale})");
    }

    /// <summary>Pixel pretraining (cosine LR), then the GAN phase if any.</summary>
    public static Schedule BuildSchedule(SrTrainingConfig c)
    {
        var phases = new List<Phase>();
        if (c.PretrainIterations > 0) phases.Add(new Phase("pretrain", c.PretrainIterations, c.CropSize, c.BatchSize, c.PretrainLr, PhaseKind.PretrainGenerator, LrShape.Cosine));
        if (c.GanIterations > 0) phases.Add(new Phase("gan", c.GanIterations, c.CropSize, c.BatchSize, c.GanLr, PhaseKind.Gan));
        return new Schedule(phases);
    }

    /// <summary>Trains as configured; Ctrl-C (<paramref name="cancel"/>) stops after the current step with a checkpoint.</summary>
    public static SrTrainingResult Run(SrTrainingConfig config, IProgressSink? sink = null, CancellationToken cancel = default, SrRunOptions? options = null)
    {
        options ??= new SrRunOptions();
        config.Check();
        using var run = TrainingRun.Open(Path.Combine(config.RunsDir, options.RunName ?? DefaultRunName(config)), options.Existing, config.Threads, options.Log);
        torch.manual_seed(config.Seed);
        using var generator = BuildGenerator(config);
        using var validation = SrValidationSet.Load(config.TestDir, config.Scale, config.ValidationCrop);
        var pairs = SrPairs.Create(config.TrainDir, config.Seed, config.CropSize, config.Flips, SrPairs.InputDegradation(config.InputDegradation, config.Scale));
        var step = BuildStep(config, run.Wrap(generator), run);
        SrScores? lastScores = null;
        var callbacks = run.Callbacks(new RunReporting(Config.ToJson(config), config.CheckpointEvery,
            run.IsMain ? new TensorBoardLogger(run.Writer!, config.LogEvery, config.ImageEvery, config.HistogramEvery) : null,
            _ => (lastScores = validation.Evaluate(generator)).ToMetrics(), config.ValidateEvery, sink));
        var loaderOptions = run.Shard(new DataLoaderOptions { Shuffle = true, Seed = config.Seed, NumWorkers = config.Workers, DropLast = true }, pairs.Count, config.Seed);
        var trainer = new Trainer<ImageBatch>(step, phase => DataLoader.Create(pairs, phase.BatchSize, loaderOptions), BuildSchedule(config), run.Directory, callbacks);
        var clock = Stopwatch.StartNew();
        var state = run.Fit(trainer, step, cancel, out var position);
        clock.Stop();

        var (weights, loadable) = state.Completed && !state.Diverged ? ExportGenerator(run, generator, config) : (null, false);
        var result = new SrTrainingResult
        {
            RunDirectory = run.Directory,
            WeightsPath = weights,
            WeightsLoadableByUpscale = loadable,
            SummaryPath = Path.Combine(run.Directory, "summary.json"),
            LossHistory = run.History.Rows,
            Scores = state.Completed ? lastScores : null,
            Steps = state.GlobalStep,
            TrainingTime = clock.Elapsed,
            Completed = state.Completed,
            Interrupted = state.Interrupted,
            StopReason = state.StopReason,
        };
        if (run.IsMain) SrSummary.Write(result, config, position);
        if (result.Scores is { } s) options.Log?.WriteLine(s.ToTable());
        return result;
    }

    /// <summary>
    /// Saves the generator's weights with <c>arch</c>, <c>scale</c> and its hyperparameters as metadata, so
    /// <c>workbench upscale --model</c> rebuilds it. An applied-twice model exports its x2 network; an ESPCN trained as
    /// a residual over bicubic is folded into a plain, wider ESPCN (<see cref="EspcnBicubic.FoldResidual"/>). Other
    /// residual networks keep their <c>net.</c> keys and <c>residual=bicubic</c> metadata, which the upscaler does not
    /// apply yet, so it refuses them instead of silently dropping the bicubic part. Returns the file (null off rank 0)
    /// and whether upscale can load it.
    /// </summary>
    private static (string? Path, bool Loadable) ExportGenerator(TrainingRun run, nn.Module<Tensor, Tensor> generator, SrTrainingConfig config)
    {
        var exported = generator is AppliedTwice twice ? twice.Net : generator;
        Espcn? folded = null;
        try
        {
            if (exported is BicubicResidual { Net: Espcn espcn } && espcn.get_submodule("pixel_shuffle") is UpsampleHead { steps: UpsampleSteps.OneStep, convs_after: 0 })
                exported = folded = EspcnBicubic.FoldResidual(espcn);
            if (exported is not ISuperResolutionNet) throw new InvalidOperationException($"{exported.GetName()} does not describe its architecture");
            var metadata = SuperResolutionModels.Metadata(exported, new Dictionary<string, string>
            {
                ["trained_by"] = "workbench train sr",
                ["training_config"] = Config.ToJson(config),
            });
            if (folded is not null) metadata["folded"] = $"trained as bicubic + ESPCN({config.Channels}); channels 0..{folded.channels - config.Channels - 1} compute the bicubic part";
            if (generator is AppliedTwice) metadata["trained_as"] = "applied twice (x4 = net(net(x)))";
            return (run.Export("generator.safetensors", exported, metadata), exported is not BicubicResidual);
        }
        finally
        {
            folded?.Dispose();
        }
    }

    private static ITrainStep<ImageBatch> BuildStep(SrTrainingConfig c, nn.Module<Tensor, Tensor> generator, TrainingRun parts)
    {
        var pixel = PixelLoss.Of(c.PixelLoss == "l1" ? Distance.L1 : Distance.Mse).Shaved(c.LossBorder);
        var generatorOptimizer = parts.Own(new optim.Adam(generator.parameters(), lr: c.PretrainLr));
        if (c.GanIterations == 0)
            return new SupervisedStep(generator, new CompositeLoss(pixel), generatorOptimizer);

        var critic = parts.Wrap(parts.Own(new DiscriminatorDilationNetwork(c.CriticChannels, dropout: c.CriticDropout)), broadcastBuffers: false);
        var criticOptimizer = parts.Own(new optim.Adam(critic.parameters(), lr: c.GanLr * c.CriticLrRatio));
        IGanLoss ganLoss = c.GanLoss switch
        {
            "notes" => new NonRewardingRelativisticGanLoss(),
            "relativistic" => new RelativisticGanLoss(),
            _ => new BceGanLoss(),
        };
        var ganGeneratorLoss = new CompositeLoss(PixelLoss.Of(c.PixelLoss == "l1" ? Distance.L1 : Distance.Mse, c.GanPixelWeight).Shaved(c.LossBorder));
        if (c.PerceptualWeight > 0)
        {
            var perceptual = parts.Own(PerceptualLoss.Vgg16Notes(c.VggWeights.Length > 0 ? c.VggWeights : null, randomSeed: c.Seed));
            ganGeneratorLoss.Add(perceptual.AsTerm(weight: c.PerceptualWeight).Shaved(c.LossBorder));
        }
        var ganOptions = new GanOptions
        {
            CriticStepsPerGeneratorStep = c.CriticStepsPerGeneratorStep,
            CriticLrMultiplier = c.CriticLrRatio,
            AdversarialWeight = c.AdversarialWeight,
        };
        Func<Tensor, Tensor, (Tensor, Tensor)>? view = c.CriticShift > 0 ? new RandomShiftCrop(c.CriticShift).Apply : null;
        return new PhaseLossStep(
            new GanStep(generator, critic, new CompositeLoss(pixel), ganLoss, generatorOptimizer, criticOptimizer, ganOptions, view),
            new GanStep(generator, critic, ganGeneratorLoss, ganLoss, generatorOptimizer, criticOptimizer, ganOptions, view));
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
