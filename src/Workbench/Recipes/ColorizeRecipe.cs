using System.Globalization;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Losses;
using Workbench.Metrics;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Torch;
using Workbench.Training;
using Workbench.Training.Callbacks;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Recipes;

/// <summary>
/// DeOldify's NoGAN recipe: (1) pretrain the generator with its own losses, progressively at growing sizes;
/// (2) pretrain the critic on real photos vs the frozen generator's output; (3) a short GAN at the last size with
/// TTUR. Training pairs are made on the fly from colour crops: film-like grayscale (colorize) or fading (DeFade).
/// The hypercolumn and zhang generators train with their own loss only (no GAN).
/// </summary>
public static class ColorizeRecipe
{
    public static ColorizeConfig Defaults(string task) => task switch
    {
        "colorize" => new ColorizeConfig(),
        "defade" => new ColorizeConfig { Task = "defade", Run = "runs/defade", UvBlurWeight = 5 },
        _ => throw new ArgumentException($"unknown task '{task}'; known: colorize, defade"),
    };

    public static Schedule BuildSchedule(ColorizeConfig c)
    {
        if (c.Sizes.Length == 0 || c.Sizes.Length != c.BatchSizes.Length) throw new ArgumentException($"sizes ({c.Sizes.Length}) and batchSizes ({c.BatchSizes.Length}) must be non-empty and of equal length");
        var pretrain = c.Sizes.Select((s, i) => new Phase($"g{s}", c.PretrainIterations, s, c.BatchSizes[i], c.LearningRate * Math.Pow(c.LrDecayPerSize, i),
            c.IsSupervised ? PhaseKind.Train : PhaseKind.PretrainGenerator, LrShape.OneCycle));
        var schedule = new Schedule(pretrain.Where(p => p.Iterations > 0).ToList());
        if (c.IsSupervised) return schedule;
        var (last, batch) = (c.Sizes[^1], c.BatchSizes[^1]);
        var rest = new List<Phase>();
        if (c.CriticIterations > 0) rest.Add(new Phase($"critic{last}", c.CriticIterations, last, batch, c.GanLearningRate, PhaseKind.PretrainCritic));
        if (c.GanIterations > 0) rest.Add(new Phase($"gan{last}", c.GanIterations, last, batch, c.GanLearningRate, PhaseKind.Gan));
        return schedule.Then(new Schedule(rest));
    }

    /// <summary>The generator the config names, with encoder/VGG weights loaded when given.</summary>
    public static nn.Module<Tensor, Tensor> BuildGenerator(ColorizeConfig c)
    {
        if (c.IsZhang) return ZhangSpec.FromJson(c.GeneratorArchitecture).Build();
        if (c.IsHypercolumn)
            return HypercolumnSpec.FromJson(c.GeneratorArchitecture).Build(c.VggWeights != "" ? Vgg16.FromSafeTensors(c.VggWeights, HypercolumnColorizer.LastVggLayer) : null);
        var unet = UnetSpec.Preset(c.Generator);
        ResNet? encoder = null;
        if (c.EncoderWeights != "")
        {
            if (unet.EncoderWidth != 64) throw new ArgumentException($"encoderWeights: the '{c.Generator}' preset has a narrow encoder (width {unet.EncoderWidth}); ImageNet weights fit stable/artistic only");
            encoder = ResNet.Create(unet.Encoder);
            encoder.load_state_dict(WeightsFile.ReadStateDict(c.EncoderWeights)); // torchvision's resnet*.pth or safetensors
        }
        return unet.Build(encoder);
    }

    /// <summary>Generator losses: pixel L1, 1 − SSIM, blurred UV, and VGG16 feature/gram terms (see <see cref="ColorizeConfig"/>); the loss owns its VGG.</summary>
    public static CompositeLoss BuildLoss(ColorizeConfig c, TextWriter? log = null)
    {
        var loss = new CompositeLoss();
        if (c.IsHypercolumn) return loss.Add(BlurredUvLoss.Term());
        if (c.PixelWeight > 0) loss.Add(new LossTerm("pixel_l1", c.PixelWeight, (o, t) => F.l1_loss(o, t)));
        if (c.SsimWeight > 0) loss.Add(new LossTerm("ssim", c.SsimWeight, (o, t) => 1 - Ssim.Compute(o, t).mean()));
        if (c.UvBlurWeight > 0) loss.Add(BlurredUvLoss.Term(c.UvBlurWeight));
        if (c.EffectivePerceptualWeight > 0 || c.GramWeight > 0)
        {
            var vgg = loss.Own(c.VggWeights != "" ? Vgg16.FromSafeTensors(c.VggWeights, 14) : Vgg16.Random(c.Seed, 14));
            // fastai lesson 7's feature loss: the convs before VGG16's first three pools, weights 5, 15, 2, L1.
            if (c.EffectivePerceptualWeight > 0)
                loss.Add(loss.Own(new PerceptualLoss(vgg, PerceptualLoss.FastaiVgg16Layers, [5.0, 15, 2], Distance.L1, warnings: log)).AsTerm("perceptual", c.EffectivePerceptualWeight));
            if (c.GramWeight > 0)
                loss.Add(new LossTerm("gram", c.GramWeight, loss.Own(new GramLoss(vgg, PerceptualLoss.FastaiVgg16Layers, [5.0, 15, 2], warnings: log)).Compute));
        }
        if (loss.Terms.Count == 0) throw new ArgumentException("every generator loss weight is 0");
        return loss;
    }

    /// <summary>Trains as the config says; <paramref name="existing"/> says what to do with a run folder that has checkpoints.</summary>
    public static ColorizeRunResult Train(ColorizeConfig c, ExistingRun existing = ExistingRun.Refuse, IProgressSink? progress = null, TextWriter? log = null, CancellationToken cancel = default)
    {
        if (!Directory.Exists(c.Data)) throw new DirectoryNotFoundException($"training data '{c.Data}' does not exist; run `workbench data init` (embedded photos) or `workbench prepare PHOTOS {c.Data}`");
        var files = ImagesDataset.FromDirsRecursive(new[] { c.Data }).Files;
        if (files.Count == 0) throw new ArgumentException($"no images in '{c.Data}'");
        using var run = TrainingRun.Open(c.Run, existing, log: log, device: c.Device);
        var device = run.Device;
        torch.manual_seed(c.Seed);
        var degradation = ColorizePairs.InputDegradation(c.Task);
        var (built, network, spec) = StartingGenerator(c, device, run.Log);
        using var generator = built;
        var zhang = generator as ZhangColorizer;
        var step = BuildStep(c, run, zhang?.Net ?? generator, zhang, files); // zhang trains its logits; decoding has no weights

        // All validation photos choose the decoding after training; the first few are scored during it.
        var validationPhotos = c.Validation != "" && Directory.Exists(c.Validation) ? ImagesDataset.FromDirsRecursive(new[] { c.Validation }).Files : [];
        var validationFiles = validationPhotos.Take(c.ValidationImages).ToList();
        ColorizeEvaluationResult? lastValidation = null;
        IReadOnlyDictionary<string, double> Validate(TrainingState state)
        {
            var renderSize = state.Schedule.Phases[Math.Min(state.PhaseIndex, state.Schedule.Phases.Count - 1)].ImageSize; // after the fit: the last size
            using var colorizer = new Colorizer(generator, new ColorizerOptions { RenderSize = renderSize, Device = device, Mode = c.Task == "defade" ? Recombination.AddResidual : Recombination.KeepLuminance }, ownsModel: false);
            lastValidation = ColorizeEvaluation.Run(colorizer, validationFiles, c.Task == "colorize" ? new FilmGrayscale() : degradation, seed: 1, baselines: false);
            generator.train();
            var m = lastValidation.Mean("model");
            return new Dictionary<string, double> { ["psnr"] = m.Psnr, ["ssim"] = m.Ssim, ["chroma_error"] = m.ChromaError, ["colorfulness"] = m.Colorfulness };
        }
        var callbacks = run.Callbacks(new RunReporting(Config.ToJson(c), c.CheckpointEvery,
            run.IsMain ? new TensorBoardLogger(run.Writer!, imageEvery: zhang is null ? c.ImageEvery : 0) : null,
            validationFiles.Count > 0 ? Validate : null, c.ValidateEvery, progress,
            ModelFile.Metadata(new ModelFileInfo(network, spec, c.Task))));
        var loaders = new Dictionary<(int, int), DataLoader<ImagePair, ImageBatch>>();
        var trainer = new Trainer<ImageBatch>(step, phase =>
            loaders.TryGetValue((phase.ImageSize, phase.BatchSize), out var l) ? l
                : loaders[(phase.ImageSize, phase.BatchSize)] = DataLoader.Create(ColorizePairs.Create(files, phase.ImageSize, degradation), phase.BatchSize,
                    run.Shard(new DataLoaderOptions { Shuffle = true, Seed = c.Seed, NumWorkers = c.Workers, DropLast = true, Log = run.Log.WriteLine }, files.Count, c.Seed)),
            BuildSchedule(c), run.Directory, callbacks);
        var state = run.Fit(trainer, step, cancel, out _);

        var architecture = spec;
        if (zhang is not null && !state.Diverged && !cancel.IsCancellationRequested && run.IsMain)
        {
            if (validationPhotos.Count > 0)
                zhang.SetDecoding(DecodingTuning.Tune(zhang, validationPhotos, c.DecodingGrid, device, run.Log).Chosen);
            architecture = zhang.Spec.ToJson();
        }
        var weights = Path.Combine(run.Directory, "generator.safetensors");
        if (!state.Diverged)
            run.Export(Path.GetFileName(weights), generator, ModelFile.Metadata(new ModelFileInfo(network, architecture, c.Task),
                new Dictionary<string, string> { ["config"] = Config.ToJson(c), ["workbench.global_step"] = state.GlobalStep.ToString(CultureInfo.InvariantCulture) }));
        return new ColorizeRunResult(state, weights, lastValidation);
    }

    /// <summary>The supervised step (zhang, hypercolumn) or the NoGAN GAN step, with the optimizers and critic the run owns.</summary>
    private static ITrainStep<ImageBatch> BuildStep(ColorizeConfig c, TrainingRun run, nn.Module<Tensor, Tensor> trained, ZhangColorizer? zhang, IReadOnlyList<string> files)
    {
        CompositeLoss loss;
        if (zhang is null) loss = run.Own(BuildLoss(c, run.Log));
        else
        {
            var zhangLoss = ZhangPrior.Loss(zhang, files, c.RebalanceLambda, run.Log);
            if (zhangLoss.ClassWeights is { } classWeights) zhang.SetClassWeights(classWeights); // saved with the weights, for the prior correction
            loss = new CompositeLoss().Add(zhangLoss.AsTerm());
        }
        // DeOldify's optimizer: Adam with β1 = 0 for the GAN, weight decay 1e-3 (AdamW here); the classifier keeps Adam's usual β1.
        var gOpt = run.Own(new optim.AdamW(trained.parameters().Where(p => p.requires_grad), lr: c.LearningRate, betas: (zhang is null ? 0.0 : 0.9, 0.99), weight_decay: 1e-3));
        if (c.IsSupervised)
            return new SupervisedStep(run.Wrap(trained), loss, gOpt,
                new SupervisedStepOptions { Device = run.Device, BFloat16 = CpuBFloat16.Use(c.BFloat16 && run.Device.Type == DeviceType.CPU, "bFloat16=true", run.Log) });
        var critic = run.Own(new ColorCritic(nf: c.CriticWidth, p: c.CriticDropout).to(run.Device));
        var dOpt = run.Own(new optim.AdamW(critic.parameters(), lr: c.GanLearningRate * c.Ttur, betas: (0.0, 0.99), weight_decay: 1e-3));
        // Under --nproc-per-node the steps train DDP replicas (rank 0's weights, averaged gradients); files are rank 0's.
        return new GanStep(run.Wrap(trained), run.Wrap(critic, broadcastBuffers: false), loss, new BceGanLoss(), gOpt, dOpt,
            new GanOptions { AdversarialWeight = c.AdversarialWeight, CriticLrMultiplier = c.Ttur, CriticStepsPerGeneratorStep = c.CriticStepsPerGeneratorStep, Device = run.Device });
    }

    /// <summary>
    /// The generator training starts from, with its registry name and spec: the config's, freshly initialised or loaded
    /// from <see cref="ColorizeConfig.InitWeights"/> (a file `workbench colorize` reads; an ensemble gives its first
    /// network). A published U-Net generator (DeOldify's artistic or stable) replaces a U-Net preset: fine-tuning keeps
    /// its architecture, and the exported weights load as that registry entry.
    /// </summary>
    private static (nn.Module<Tensor, Tensor> Generator, string Network, string Spec) StartingGenerator(ColorizeConfig c, Device device, TextWriter log)
    {
        if (c.InitWeights == "") return (BuildGenerator(c).to(device), c.GeneratorNetwork, c.GeneratorArchitecture);
        var (initial, info) = ModelFile.Load(c.InitWeights, device);
        if (info.Network != c.GeneratorNetwork)
        {
            if (initial is DynamicUnet && c.GeneratorNetwork == nameof(DynamicUnet))
            {
                log.WriteLine($"generator: {info.Network} from {c.InitWeights} (its architecture replaces the '{c.Generator}' preset)");
                return (initial.train(), info.Network, info.Architecture);
            }
            initial.Dispose();
            throw new ArgumentException($"initWeights '{c.InitWeights}' holds a {info.Network}, the config trains a {c.GeneratorNetwork}");
        }
        using (initial)
        {
            var initialState = initial.state_dict();
            if (initial is ZhangColorizer { Nets.Count: > 1 } ensemble)
            {
                // The shipped colorizer is an ensemble; tune-colorizer --ensemble-with builds a new one afterwards.
                initialState = ensemble.FirstNetworkState();
                log.WriteLine($"initWeights holds an ensemble of {ensemble.Nets.Count} networks; training continues the first");
            }
            var generator = BuildGenerator(c).to(device);
            try
            {
                generator.load_state_dict(initialState);
            }
            catch
            {
                generator.Dispose();
                throw;
            }
            log.WriteLine($"generator initialised from {c.InitWeights}");
            return (generator, c.GeneratorNetwork, c.GeneratorArchitecture);
        }
    }
}
