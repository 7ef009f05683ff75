using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Data;
using Workbench.Logging;
using Workbench.Losses;
using Workbench.Models.Discriminators;
using Workbench.Models.SuperResolution;
using Workbench.Torch;
using Workbench.Torch.Serialization;
using Workbench.Training;
using Workbench.Training.Callbacks;

namespace Workbench.Recipes;

/// <summary>Where a run goes and whether it continues an earlier one.</summary>
/// <param name="RunName">Folder under the config's RunsDir; null: <see cref="SuperResolutionRecipe.DefaultRunName"/>.</param>
/// <param name="Resume">Continue from the run's latest checkpoint (the config must describe the same networks).</param>
/// <param name="Log">Where the recipe writes its few lines (the loop description, the validation table); null for none.</param>
/// <param name="Overwrite">Delete an existing run folder of that name first (a rerun of a quickstart); without it an existing run is an error.</param>
public sealed record SrRunOptions(string? RunName = null, bool Resume = false, TextWriter? Log = null, bool Overwrite = false);

/// <summary>What a finished (or interrupted) super-resolution run produced.</summary>
public sealed record SrTrainingResult
{
    public required string RunDirectory { get; init; }

    /// <summary>Exported generator weights with architecture metadata (<c>workbench upscale --model</c>); null when nothing was trained to export.</summary>
    public string? WeightsPath { get; init; }

    /// <summary>False for a residual network that cannot be folded into a plain one (upscale refuses it).</summary>
    public bool WeightsLoadableByUpscale { get; init; }

    /// <summary>&lt;run&gt;/summary.json.</summary>
    public required string SummaryPath { get; init; }

    /// <summary>Every logged value: step losses and validation metrics (val_psnr_y, ...), as in losses.csv.</summary>
    public required IReadOnlyList<(long Step, string Phase, string Name, double Value)> LossHistory { get; init; }

    /// <summary>The final validation on the held-out set (null if the run stopped before any).</summary>
    public SrScores? Scores { get; init; }

    public double? ModelPsnrY => Scores?.MeanPsnrY;
    public double? BicubicPsnrY => Scores?.MeanBicubicPsnrY;

    /// <summary>True when the model's mean PSNR on Y beats bicubic's on the held-out set.</summary>
    public bool BeatsBicubic => Scores is { PsnrGain: > 0 };

    public long Steps { get; init; }

    /// <summary>Wall time of the training loop (validation included, data preparation excluded).</summary>
    public TimeSpan TrainingTime { get; init; }

    public bool Completed { get; init; }
    public bool Interrupted { get; init; }
    public string? StopReason { get; init; }
}

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
        Check(config);
        return config;
    }

    /// <summary>The config saved beside a run's checkpoints (what --resume starts from).</summary>
    public static SrTrainingConfig? SavedConfig(string runDirectory)
    {
        var path = Path.Combine(Checkpointer.Directory(runDirectory), "config.json");
        return File.Exists(path) ? Config.Resolve(new SrTrainingConfig(), path) : null;
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public static void Check(SrTrainingConfig c)
    {
        void Require(bool ok, string message)
        {
            if (!ok) throw new ArgumentException("config: " + message);
        }
        Require(SuperResolutionModels.Architectures.Contains(c.Arch), $"unknown arch '{c.Arch}'; known: {string.Join(", ", SuperResolutionModels.Architectures)}");
        Require(c.Scale >= 2, $"scale must be at least 2, got {c.Scale}");
        Require(!c.ApplyTwice || c.Scale == 4, "applyTwice trains a x2 network as net(net(x)): scale must be 4");
        Require(c.Head is "default" or "one" or "x2", $"head must be default, one or x2, got '{c.Head}'");
        Require(c.CropSize % c.Scale == 0 && c.CropSize / c.Scale >= 4, $"cropSize {c.CropSize} must be a multiple of scale {c.Scale} and give an input of at least 4 px");
        Require(c.BatchSize >= 1 && c.Channels >= 1 && c.Blocks >= 1 && c.HeadChannels >= 1 && c.HeadConvsAfter >= 0, "batchSize, channels, blocks, headChannels must be positive");
        Require(c.PretrainIterations >= 0 && c.GanIterations >= 0 && c.PretrainIterations + c.GanIterations > 0, "pretrainIterations and ganIterations must be >= 0, and not both 0");
        Require(c.PretrainLr > 0 && c.GanLr > 0 && c.CriticLrRatio > 0, "learning rates and criticLrRatio must be positive");
        Require(c.PixelLoss is "l1" or "mse", $"pixelLoss must be l1 or mse, got '{c.PixelLoss}'");
        Require(c.GanLoss is "notes" or "relativistic" or "bce", $"ganLoss must be notes, relativistic or bce, got '{c.GanLoss}'");
        Require(c.JpegProbability is >= 0 and <= 1 && c.NoiseProbability is >= 0 and <= 1, "jpegProbability and noiseProbability are probabilities");
        Require(c.JpegQualityMin >= 1 && c.JpegQualityMin <= c.JpegQualityMax && c.JpegQualityMax <= 99,
            $"JPEG quality range [{c.JpegQualityMin}, {c.JpegQualityMax}] must lie within [1, 99] (never 100)");
        Require(c.NoiseSigmaMax > 0 && c.NoiseSigmaMax <= 255, "noiseSigmaMax is in 0-255 units, > 0");
        Require(c.CriticStepsPerGeneratorStep >= 1 && c.CriticChannels >= 1 && c.CriticDropout is >= 0 and < 1 && c.CriticShift is >= 0 and <= 16, "critic settings out of range");
        Require(c.LossBorder >= 0 && c.CropSize - 2 * c.LossBorder >= 8, $"lossBorder {c.LossBorder} leaves less than 8 px of a {c.CropSize} px crop");
        Require(c.GanIterations == 0 || c.CropSize - c.CriticShift >= 8, $"the critic needs crops of at least {c.CriticShift + 8} px");
        Require(c.PerceptualWeight >= 0 && c.AdversarialWeight >= 0 && c.GanPixelWeight >= 0, "loss weights must be >= 0");
        Require(c.InitWeights == "" || File.Exists(c.InitWeights), $"initWeights '{c.InitWeights}' does not exist");
        Require(c.InitWeights == "" || !c.ResidualOverBicubic, "initWeights starts from a network that outputs the whole image; a residual over bicubic would add bicubic to it: set residualOverBicubic=false");
        Require(c.Workers >= 0 && c.Threads >= 0 && c.ValidateEvery >= 0 && c.ValidationCrop >= 0, "workers, threads, validateEvery, validationCrop must be >= 0");
        SrPairs.ParseKernels(c.DownscaleKernels);
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
        Check(config);
        using var threads = ThreadCount.Set(config.Threads);
        var parallel = DataParallel.Current;
        var runDirectory = Path.GetFullPath(Path.Combine(config.RunsDir, options.RunName ?? DefaultRunName(config)));
        if (options.Overwrite && options.Resume) throw new ArgumentException("overwrite and resume exclude each other");
        var latest = Checkpointer.LatestPath(runDirectory);
        if (parallel.IsMain)
        {
            if (options.Overwrite && Directory.Exists(runDirectory)) Directory.Delete(runDirectory, recursive: true);
            if (options.Resume && !File.Exists(latest)) throw new FileNotFoundException($"nothing to resume: '{latest}' does not exist", latest);
            if (!options.Resume && File.Exists(latest))
                throw new ArgumentException($"run '{runDirectory}' already has checkpoints; continue it with --resume, replace it with --overwrite, or choose another --run name");
            Directory.CreateDirectory(runDirectory);
        }
        parallel.Barrier(); // the other ranks read the folder (resume) only once rank 0 has prepared it

        torch.manual_seed(config.Seed);
        var dataScale = config.Scale;
        using var generator = BuildGenerator(config);
        using var validation = SrValidationSet.Load(config.TestDir, dataScale, config.ValidationCrop);
        var pairs = SrPairs.Create(config, dataScale);
        using var parts = new Parts();
        var step = BuildStep(config, parallel.Wrap(generator), parts, parallel);

        using var writer = parallel.IsMain ? new SummaryWriter(Path.Combine(runDirectory, "tb")) : null;
        var history = new LossHistory();
        SrScores? lastScores = null;
        IReadOnlyDictionary<string, double> Evaluate(TrainingState _)
        {
            lastScores = validation.Evaluate(generator);
            return lastScores.ToMetrics();
        }
        // Rank 0 alone writes events, validation scores, checkpoints and progress; the others only train.
        var callbacks = parallel.IsMain
            ? new List<Callback>
            {
                new ConfigNote(Config.ToJson(config)),
                new NanGuard(),
                history,
                new TensorBoardLogger(writer!, config.LogEvery, config.ImageEvery, config.HistogramEvery),
                new HeldOutValidation(config.ValidateEvery, Evaluate, writer!, history),
                new Checkpointer(config.CheckpointEvery),
            }
            : new List<Callback> { new NanGuard() };
        if (sink is not null && parallel.IsMain) callbacks.Add(new ProgressReporter(sink));
        var loaderOptions = parallel.Shard(new DataLoaderOptions { Shuffle = true, Seed = config.Seed, NumWorkers = config.Workers, DropLast = true }, pairs.Count, config.Seed);
        var trainer = new Trainer<ImageBatch>(step, phase => DataLoader.Create(pairs, phase.BatchSize, loaderOptions), BuildSchedule(config), runDirectory, callbacks);
        options.Log?.WriteLine(trainer.Describe());

        var position = options.Resume ? Checkpoint.Restore(latest, step.Models, step.Optimizers) : null;
        var clock = Stopwatch.StartNew();
        var state = trainer.Fit(position, cancel);
        clock.Stop();

        string? weights = null;
        var loadable = false;
        if (state.Completed && !state.Diverged && parallel.IsMain)
        {
            weights = Path.Combine(runDirectory, "generator.safetensors");
            loadable = ExportGenerator(generator, weights, config);
        }
        var result = new SrTrainingResult
        {
            RunDirectory = runDirectory,
            WeightsPath = weights,
            WeightsLoadableByUpscale = loadable,
            SummaryPath = Path.Combine(runDirectory, "summary.json"),
            LossHistory = history.Rows,
            Scores = state.Completed ? lastScores : null,
            Steps = state.GlobalStep,
            TrainingTime = clock.Elapsed,
            Completed = state.Completed,
            Interrupted = state.Interrupted,
            StopReason = state.StopReason,
        };
        if (parallel.IsMain) WriteSummary(result, config, position);
        if (result.Scores is { } s) options.Log?.WriteLine(s.ToTable());
        return result;
    }

    /// <summary>
    /// Saves the generator's weights with <c>arch</c>, <c>scale</c> and its hyperparameters as metadata, so
    /// <c>workbench upscale --model</c> rebuilds it. An applied-twice model exports its x2 network; an ESPCN trained as
    /// a residual over bicubic is folded into a plain, wider ESPCN (<see cref="EspcnBicubic.FoldResidual"/>). Other
    /// residual networks keep their <c>net.</c> keys and <c>residual=bicubic</c> metadata, which the upscaler does not
    /// apply yet, so it refuses them instead of silently dropping the bicubic part. Returns whether upscale can load it.
    /// </summary>
    public static bool ExportGenerator(nn.Module<Tensor, Tensor> generator, string path, SrTrainingConfig config)
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
            Checkpoint.ExportWeights(path, exported, metadata);
            return exported is not BicubicResidual;
        }
        finally
        {
            folded?.Dispose();
        }
    }

    private static ITrainStep<ImageBatch> BuildStep(SrTrainingConfig c, nn.Module<Tensor, Tensor> generator, Parts parts, DataParallel parallel)
    {
        var pixel = Shaved(PixelLoss.Of(c.PixelLoss == "l1" ? Distance.L1 : Distance.Mse), c.LossBorder);
        var generatorOptimizer = parts.Own(new optim.Adam(generator.parameters(), lr: c.PretrainLr));
        if (c.GanIterations == 0)
            return new SupervisedStep(generator, new CompositeLoss(pixel), generatorOptimizer);

        var critic = parallel.Wrap(parts.Own(new DiscriminatorDilationNetwork(c.CriticChannels, dropout: c.CriticDropout)), broadcastBuffers: false);
        var criticOptimizer = parts.Own(new optim.Adam(critic.parameters(), lr: c.GanLr * c.CriticLrRatio));
        IGanLoss ganLoss = c.GanLoss switch
        {
            "notes" => new NonRewardingRelativisticGanLoss(),
            "relativistic" => new RelativisticGanLoss(),
            _ => new BceGanLoss(),
        };
        var ganGeneratorLoss = new CompositeLoss(Shaved(PixelLoss.Of(c.PixelLoss == "l1" ? Distance.L1 : Distance.Mse, c.GanPixelWeight), c.LossBorder));
        if (c.PerceptualWeight > 0)
        {
            var perceptual = parts.Own(PerceptualLoss.Vgg16Notes(c.VggWeights.Length > 0 ? c.VggWeights : null, randomSeed: c.Seed));
            ganGeneratorLoss.Add(Shaved(perceptual.AsTerm(weight: c.PerceptualWeight), c.LossBorder));
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

    /// <summary>The term computed on the crops without <paramref name="border"/> pixels at each side.</summary>
    private static LossTerm Shaved(LossTerm term, int border) =>
        border == 0 ? term : term with { Compute = (o, t) => term.Compute(Shave(o, border), Shave(t, border)) };

    private static Tensor Shave(Tensor x, int b) => x.narrow(2, b, x.size(2) - 2 * b).narrow(3, b, x.size(3) - 2 * b);

    private static void WriteSummary(SrTrainingResult r, SrTrainingConfig c, TrainingPosition? resumedFrom)
    {
        var s = r.Scores;
        var summary = new JsonObject
        {
            ["run"] = r.RunDirectory,
            ["arch"] = c.Arch,
            ["scale"] = c.Scale,
            ["applied_twice"] = c.ApplyTwice,
            ["bicubic_init"] = c.BicubicInit && c.Arch == "espcn" && c.Head == "default" && !c.ResidualOverBicubic,
            ["residual_over_bicubic"] = c.ResidualOverBicubic,
            ["completed"] = r.Completed,
            ["interrupted"] = r.Interrupted,
            ["stop_reason"] = r.StopReason,
            ["steps"] = r.Steps,
            ["resumed_from_step"] = resumedFrom?.GlobalStep,
            ["training_seconds"] = Math.Round(r.TrainingTime.TotalSeconds, 1),
            ["weights"] = r.WeightsPath,
            ["weights_loadable_by_upscale"] = r.WeightsLoadableByUpscale,
            ["validation"] = s is null ? null : new JsonObject
            {
                ["images"] = new JsonArray(s.Images.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                ["crop"] = c.ValidationCrop,
                ["degradation"] = "antialiased bicubic downscale (a = -0.5), no noise or JPEG",
                ["psnr_y"] = Math.Round(s.MeanPsnrY, 4),
                ["psnr_y_bicubic"] = Math.Round(s.MeanBicubicPsnrY, 4),
                ["psnr_y_gain"] = Math.Round(s.PsnrGain, 4),
                ["ssim_y"] = Math.Round(s.MeanSsimY, 5),
                ["ssim_y_bicubic"] = Math.Round(s.MeanBicubicSsimY, 5),
                ["beats_bicubic"] = r.BeatsBicubic,
            },
        };
        AtomicFile.WriteAllText(r.SummaryPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Puts the resolved config where the checkpointer and TensorBoard logger look for it.</summary>
    private sealed class ConfigNote(string json) : Callback
    {
        public override int Order => Orders.Schedule;

        public override void BeforeFit(TrainingState state) => state.Notes["config"] = json;

        public override string Describe() => "ConfigNote";
    }

    /// <summary>
    /// Training.Callbacks.Validation, except that its final evaluation after a completed run names the last phase:
    /// Validation reads state.Phase there, which is past the end of the schedule once every phase has run
    /// (ArgumentOutOfRangeException). Reported; use Validation again when it is fixed.
    /// </summary>
    private sealed class HeldOutValidation(int every, Func<TrainingState, IReadOnlyDictionary<string, double>> evaluate, SummaryWriter writer, LossHistory history) : Callback
    {
        public override int Order => Orders.Log - 1; // before LossHistory, so the final values reach losses.csv

        public override void AfterStep(TrainingState state)
        {
            if (every > 0 && state.GlobalStep % every == 0) Run(state, state.Phase.Name);
        }

        public override void AfterFit(TrainingState state)
        {
            if (state.Completed && (every <= 0 || state.GlobalStep % every != 0)) Run(state, state.Schedule.Phases[^1].Name);
        }

        private void Run(TrainingState state, string phase)
        {
            foreach (var (name, value) in evaluate(state))
            {
                writer.AddScalar($"validation/{name}", value, state.GlobalStep);
                history.Record(state.GlobalStep, phase, "val_" + name, value);
            }
        }

        public override string Describe() => $"HeldOutValidation(every {every})";
    }

    /// <summary>Disposables the step owns (critic, optimizers, the VGG), freed with the run.</summary>
    private sealed class Parts : IDisposable
    {
        private readonly List<IDisposable> owned = new();

        public T Own<T>(T item) where T : IDisposable
        {
            owned.Add(item);
            return item;
        }

        public void Dispose()
        {
            foreach (var item in Enumerable.Reverse(owned)) item.Dispose();
        }
    }
}
