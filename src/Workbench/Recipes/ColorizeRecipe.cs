using System.Text.Json.Serialization;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Logging;
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
/// Everything a colorization (or DeFade) run needs, flat. Resolved from these defaults, then a JSON file, then
/// <c>--set key=value</c> (<see cref="Config.Resolve{T}"/>), and saved beside every checkpoint. The defaults train
/// on a CPU in minutes on the embedded photos; the GPU recipe of the DeOldify article is in the docs
/// (sizes 64→…→192→256, batch 8–16, the "stable"/"artistic" generators, VGG16 weights).
/// </summary>
public sealed record ColorizeConfig
{
    /// <summary>"colorize" (film-like grayscale → colour) or "defade" (faded colour → restored colour).</summary>
    public string Task { get; init; } = "colorize";

    /// <summary>Folder of training crops (PNG), e.g. from `workbench data init` or `workbench prepare`.</summary>
    public string Data { get; init; } = Path.Combine(EmbeddedData.DefaultRoot, "photos", "train");

    /// <summary>Held-out colour photos for the validation metrics ("" = none).</summary>
    public string Validation { get; init; } = Path.Combine(EmbeddedData.DefaultRoot, "photos", "test");

    /// <summary>Run folder: TensorBoard events, checkpoints, samples, config.json, generator.safetensors.</summary>
    public string Run { get; init; } = "runs/colorize";

    /// <summary>Generator: a U-Net preset (stable, artistic, small, tiny), hypercolumn / hypercolumn-lab (the lecture's colorizer, no GAN) or zhang (classification over ab bins, Zhang et al. 2016, no GAN).</summary>
    public string Generator { get; init; } = "small";

    /// <summary>Start from these generator weights (a file `workbench colorize` reads, e.g. the shipped model) instead of a fresh init; "" = none. Same architecture required.</summary>
    public string InitWeights { get; init; } = "";

    /// <summary>torchvision ResNet weights (.safetensors) for the U-Net's encoder (presets with base width 64 only); "" = random init.</summary>
    public string EncoderWeights { get; init; } = "";

    /// <summary>torchvision VGG16 features (.safetensors) for the perceptual loss (and the hypercolumn encoder); "" = none.</summary>
    public string VggWeights { get; init; } = "";

    /// <summary>Critic width (DeOldify: 256); its blocks double it.</summary>
    public int CriticWidth { get; init; } = 32;

    /// <summary>Critic dropout (DeOldify's gan_critic: 0.15).</summary>
    public double CriticDropout { get; init; } = 0.15;

    /// <summary>Pixel L1 weight.</summary>
    public double PixelWeight { get; init; } = 1.0;

    /// <summary>Weight of 1 − SSIM (structure; keeps edges where the gray input has them).</summary>
    public double SsimWeight { get; init; } = 0.5;

    /// <summary>Weight of the lecture's blurred UV distance (chroma at three blurs; UV errors are small numbers, ~0.003, hence 10).</summary>
    public double UvBlurWeight { get; init; } = 10.0;

    /// <summary>VGG16 feature-loss weight; negative = automatic: 1 with VggWeights, 0 without (random VGG features are not perceptual).</summary>
    public double PerceptualWeight { get; init; } = -1;

    /// <summary>Gram (style) loss weight on the same VGG features (fastai lesson 7's option); used only with VggWeights unless set explicitly.</summary>
    public double GramWeight { get; init; } = 0;

    /// <summary>Adversarial weight in GAN phases (DeOldify 1.5 against its feature loss; our pixel losses are ~10x smaller).</summary>
    public double AdversarialWeight { get; init; } = 0.1;

    /// <summary>Progressive sizes (DeOldify: same layers, growing images, learning rate per size).</summary>
    public int[] Sizes { get; init; } = { 64, 96, 128 };

    /// <summary>Batch size per size.</summary>
    public int[] BatchSizes { get; init; } = { 16, 12, 8 };

    /// <summary>Generator pretraining iterations per size (NoGAN step 1).</summary>
    public int PretrainIterations { get; init; } = 300;

    /// <summary>Generator learning rate at the first size; each next size multiplies it by LrDecayPerSize.</summary>
    public double LearningRate { get; init; } = 1e-3;

    public double LrDecayPerSize { get; init; } = 0.6;

    /// <summary>Critic pretraining iterations on real vs frozen-generator images at the last size (NoGAN step 2).</summary>
    public int CriticIterations { get; init; } = 150;

    /// <summary>GAN iterations at the last size (NoGAN step 3: short).</summary>
    public int GanIterations { get; init; } = 150;

    /// <summary>Generator learning rate in the GAN phase (the critic gets TtuR× this).</summary>
    public double GanLearningRate { get; init; } = 1e-4;

    /// <summary>TTUR: critic learning-rate multiplier.</summary>
    public double Ttur { get; init; } = 4.0;

    public int CriticStepsPerGeneratorStep { get; init; } = 1;

    public int ImageEvery { get; init; } = 200;
    public int CheckpointEvery { get; init; } = 1000;

    /// <summary>Validation metrics every N steps (0 = at the end only).</summary>
    public int ValidateEvery { get; init; } = 500;

    /// <summary>At most this many validation photos.</summary>
    public int ValidationImages { get; init; } = 4;

    /// <summary>Base width of the zhang network (the paper's is 64; 32 trains on a CPU).</summary>
    public int ZhangWidth { get; init; } = 32;

    /// <summary>Zhang et al.'s rebalancing λ: the prior is mixed with this much of a uniform one (1 = no rebalancing; paper 0.5).</summary>
    public double RebalanceLambda { get; init; } = 0.5;

    /// <summary>Annealed-mean temperatures tried on the validation photos after training (zhang); the chosen one is saved with the weights.
    /// 1 is the plain mean of the distribution; the paper's 0.38 leans towards its mode.</summary>
    public double[] Temperatures { get; init; } = { 0.38, 0.5, 0.7, 1.0 };

    /// <summary>Chroma scales tried with each temperature (zhang: the decoded ab times this; a mean is duller than a
    /// mode, so above 1 is in range).</summary>
    public double[] ChromaScales { get; init; } = { 0.55, 0.7, 0.85, 1.0, 1.2, 1.4, 1.7 };

    /// <summary>Smoothing σ (cells of the H/4 grid; 0 = none) tried with each of those (zhang: <see cref="ZhangSpec.Smoothing"/>).</summary>
    public double[] Smoothings { get; init; } = { 2, 4, 8 };

    /// <summary>
    /// Prior corrections α tried with each of those (zhang: <see cref="ZhangSpec.PriorCorrection"/>; 1 undoes the
    /// rebalancing's bias). On the corpus's 16 held-out photos α = 1 with T 0.7–1 and a chroma scale near 1.2 gave the
    /// lowest chroma error at every colourfulness (docs/experiments.md); at low temperatures it goes gray.
    /// </summary>
    public double[] PriorCorrections { get; init; } = { 0, 1 };

    /// <summary>The decoding is chosen for the lowest chroma error among those whose colourfulness is at least this share
    /// of the originals' (the chroma error alone would choose gray: colour in the wrong hue costs more than none).</summary>
    public double MinColorfulnessShare { get; init; } = 0.6;

    /// <summary>CPU bfloat16 autocast for the generator's forward pass (zhang and hypercolumn); on CPUs without AVX-512 BF16 or AMX it falls back to float32 and says so.</summary>
    public bool BFloat16 { get; init; }

    public int Seed { get; init; }
    public int Workers { get; init; } = 2;

    /// <summary>cpu or cuda.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>The generator's network name, for rebuilding it from a checkpoint (derived; not settable).</summary>
    public string GeneratorNetwork => Generator == "zhang" ? nameof(ZhangColorizer)
        : Generator.StartsWith("hypercolumn", StringComparison.Ordinal) ? nameof(HypercolumnColorizer) : nameof(DynamicUnet);

    /// <summary>The generator's constructor arguments as JSON (derived; not settable).</summary>
    public string GeneratorArchitecture => Generator switch
    {
        "hypercolumn" => new HypercolumnSpec("residual", "yuv", null, VggWeights != "").ToJson(),
        "hypercolumn-lab" => new HypercolumnSpec("residual", "lab", null, VggWeights != "").ToJson(),
        "zhang" => new ZhangSpec(ZhangWidth).ToJson(),
        _ => UnetSpec.Preset(Generator).ToJson(),
    };

    [JsonIgnore]
    public bool IsHypercolumn => GeneratorNetwork == nameof(HypercolumnColorizer);

    [JsonIgnore]
    public bool IsZhang => GeneratorNetwork == nameof(ZhangColorizer);

    /// <summary>Trained with its own loss only: no critic, no GAN phases.</summary>
    [JsonIgnore]
    public bool IsSupervised => IsHypercolumn || IsZhang;

    [JsonIgnore]
    public double EffectivePerceptualWeight => PerceptualWeight >= 0 ? PerceptualWeight : VggWeights != "" ? 1.0 : 0.0;
}

/// <summary>What a finished (or stopped) run left behind.</summary>
public sealed record ColorizeRunResult(TrainingState State, string WeightsPath, ColorizeEvaluationResult? Validation);

/// <summary>
/// DeOldify's NoGAN recipe: (1) pretrain the generator with its own losses, progressively at growing sizes;
/// (2) pretrain the critic on real photos vs the frozen generator's output; (3) a short GAN at the last size with
/// TTUR. Training pairs are made on the fly from colour crops: film-like grayscale (colorize) or fading (DeFade).
/// The hypercolumn generator trains with its own loss only (the lecture had no GAN).
/// </summary>
public static class ColorizeRecipe
{
    public static ColorizeConfig Defaults(string task) => task switch
    {
        "colorize" => new ColorizeConfig(),
        "defade" => new ColorizeConfig { Task = "defade", Run = "runs/defade", UvBlurWeight = 5 },
        _ => throw new ArgumentException($"unknown task '{task}'; known: colorize, defade"),
    };

    /// <summary>The degradation that makes a training input from a colour crop.</summary>
    public static Degradation InputDegradation(string task) => task switch
    {
        "colorize" => DegradationPresets.OldBlackAndWhite(),
        "defade" => DegradationPresets.DeFade(),
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

    /// <summary>Training pairs: a random crop of a colour image at <paramref name="size"/> (upscaled when the image is smaller), flipped half the time, and its degraded input.</summary>
    public static IDataset<ImagePair> Pairs(IReadOnlyList<string> files, int size, Degradation degradation) =>
        Dataset.FromList(files).Select((file, random) =>
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(file);
            var (h, w) = ((int)image.size(1), (int)image.size(2));
            if (h < size || w < size)
            {
                var scale = (double)size / Math.Min(h, w);
                image = ImageResize.Resize(image, Math.Max(size, (int)Math.Ceiling(h * scale)), Math.Max(size, (int)Math.Ceiling(w * scale))).clamp(0, 1);
            }
            var target = ImageCrop.RandomCrop(image, size, random);
            if (random.NextDouble() < 0.5) target = target.flip(2);
            target = target.contiguous();
            var input = degradation.Apply(target, random);
            return new ImagePair(input.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
        });

    /// <summary>The generator the config names, with encoder/VGG weights loaded when given.</summary>
    public static nn.Module<Tensor, Tensor> BuildGenerator(ColorizeConfig c)
    {
        if (c.IsZhang) return ZhangSpec.FromJson(c.GeneratorArchitecture).Build();
        if (c.IsHypercolumn)
        {
            var spec = HypercolumnSpec.FromJson(c.GeneratorArchitecture);
            return spec.Build(c.VggWeights != "" ? Vgg16.FromSafeTensors(c.VggWeights, HypercolumnColorizer.LastVggLayer) : null);
        }
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

    /// <summary>Generator losses: pixel L1, 1 − SSIM, blurred UV, and VGG16 feature/gram terms (see <see cref="ColorizeConfig"/>).</summary>
    public static (CompositeLoss Loss, IDisposable? Owned) BuildLoss(ColorizeConfig c, TextWriter? log = null)
    {
        var loss = new CompositeLoss();
        if (c.IsHypercolumn) return (loss.Add(BlurredUvLoss.Term()), null);
        if (c.PixelWeight > 0) loss.Add(new LossTerm("pixel_l1", c.PixelWeight, (o, t) => F.l1_loss(o, t)));
        if (c.SsimWeight > 0) loss.Add(new LossTerm("ssim", c.SsimWeight, (o, t) => 1 - Ssim.Compute(o, t).mean()));
        if (c.UvBlurWeight > 0) loss.Add(BlurredUvLoss.Term(c.UvBlurWeight));
        var owned = new Owned();
        if (c.EffectivePerceptualWeight > 0 || c.GramWeight > 0)
        {
            var vgg = owned.Add(c.VggWeights != "" ? Vgg16.FromSafeTensors(c.VggWeights, 14) : Vgg16.Random(c.Seed, 14));
            // fastai lesson 7's feature loss: the convs before VGG16's first three pools, weights 5, 15, 2, L1.
            if (c.EffectivePerceptualWeight > 0)
                loss.Add(owned.Add(new PerceptualLoss(vgg, PerceptualLoss.FastaiVgg16Layers, new[] { 5.0, 15, 2 }, Distance.L1, warnings: log)).AsTerm("perceptual", c.EffectivePerceptualWeight));
            if (c.GramWeight > 0)
            {
                var gram = owned.Add(new GramLoss(vgg, PerceptualLoss.FastaiVgg16Layers, new[] { 5.0, 15, 2 }, warnings: log));
                loss.Add(new LossTerm("gram", c.GramWeight, gram.Compute));
            }
        }
        if (loss.Terms.Count == 0) throw new ArgumentException("every generator loss weight is 0");
        return (loss, owned);
    }

    /// <summary>Trains as the config says; <paramref name="resume"/> continues from the run's latest checkpoint.</summary>
    public static ColorizeRunResult Train(ColorizeConfig c, bool resume = false, IProgressSink? progress = null, TextWriter? log = null, CancellationToken cancel = default)
    {
        log ??= TextWriter.Null;
        var device = c.Device switch
        {
            "cpu" => Torch.Device.CPU,
            "cuda" => new Device(DeviceType.CUDA, 0),
            _ => throw new ArgumentException($"device must be cpu or cuda, got '{c.Device}'"),
        };
        if (!Directory.Exists(c.Data)) throw new DirectoryNotFoundException($"training data '{c.Data}' does not exist; run `workbench data init` (embedded photos) or `workbench prepare PHOTOS {c.Data}`");
        var files = ImagesDataset.FromDirsRecursive(new[] { c.Data }).Files;
        if (files.Count == 0) throw new ArgumentException($"no images in '{c.Data}'");
        torch.manual_seed(c.Seed);
        var parallel = DataParallel.Current;
        var schedule = BuildSchedule(c);
        var degradation = InputDegradation(c.Task);
        using var generator = BuildGenerator(c).to(device);
        if (c.InitWeights != "")
        {
            var (initial, info) = ModelFile.Load(c.InitWeights, device);
            using (initial)
            {
                if (info.Network != c.GeneratorNetwork) throw new ArgumentException($"initWeights '{c.InitWeights}' holds a {info.Network}, the config trains a {c.GeneratorNetwork}");
                var initialState = initial.state_dict();
                if (initial is ZhangColorizer { Nets.Count: > 1 } ensemble)
                {
                    // The shipped colorizer is an ensemble; tune-colorizer --ensemble-with builds a new one afterwards.
                    initialState = ensemble.FirstNetworkState();
                    log.WriteLine($"initWeights holds an ensemble of {ensemble.Nets.Count} networks; training continues the first");
                }
                generator.load_state_dict(initialState);
            }
            log.WriteLine($"generator initialised from {c.InitWeights}");
        }
        var zhang = generator as ZhangColorizer;
        var trained = zhang?.Net ?? generator;                      // zhang trains its logits; decoding has no weights
        using var critic = new ColorCritic(nf: c.CriticWidth, p: c.CriticDropout).to(device);
        var zhangLoss = zhang is null ? null : ZhangLoss(zhang, files, c, log);
        if (zhangLoss?.ClassWeights is { } classWeights) zhang!.SetClassWeights(classWeights); // saved with the weights, for the prior correction
        var (loss, owned) = zhangLoss is null ? BuildLoss(c, log) : (new CompositeLoss().Add(zhangLoss.AsTerm()), null);
        using var _ = owned;
        // DeOldify's optimizer: Adam with β1 = 0 for the GAN, weight decay 1e-3 (AdamW here); the classifier keeps Adam's usual β1.
        using var gOpt = new optim.AdamW(trained.parameters().Where(p => p.requires_grad), lr: c.LearningRate, betas: (zhang is null ? 0.0 : 0.9, 0.99), weight_decay: 1e-3);
        using var dOpt = new optim.AdamW(critic.parameters(), lr: c.GanLearningRate * c.Ttur, betas: (0.0, 0.99), weight_decay: 1e-3);
        // Under --nproc-per-node the steps train DDP replicas (rank 0's weights, averaged gradients); files are rank 0's.
        var (trainedGenerator, trainedCritic) = (parallel.Wrap(trained), c.IsSupervised ? critic : parallel.Wrap(critic, broadcastBuffers: false));
        ITrainStep<ImageBatch> step = c.IsSupervised
            ? new SupervisedStep(trainedGenerator, loss, gOpt, new SupervisedStepOptions { Device = device, BFloat16 = CpuBFloat16.Use(c.BFloat16 && device.Type == DeviceType.CPU, "bFloat16=true", log) })
            : new GanStep(trainedGenerator, trainedCritic, loss, new BceGanLoss(), gOpt, dOpt,
                new GanOptions { AdversarialWeight = c.AdversarialWeight, CriticLrMultiplier = c.Ttur, CriticStepsPerGeneratorStep = c.CriticStepsPerGeneratorStep, Device = device });

        var configJson = Config.ToJson(c);
        if (parallel.IsMain) Directory.CreateDirectory(c.Run);
        parallel.Barrier();
        using var writer = parallel.IsMain ? new SummaryWriter(Path.Combine(c.Run, "tb")) : null;
        var history = new LossHistory();
        var validationFiles = c.Validation != "" && Directory.Exists(c.Validation)
            ? ImagesDataset.FromDirsRecursive(new[] { c.Validation }).Files.Take(c.ValidationImages).ToList() : new List<string>();
        ColorizeEvaluationResult? lastValidation = null;
        var callbacks = parallel.IsMain
            ? new List<Callback> { new NanGuard(), new TensorBoardLogger(writer!, imageEvery: zhang is null ? c.ImageEvery : 0), history, new Checkpointer(c.CheckpointEvery), new ConfigNote(configJson) }
            : new List<Callback> { new NanGuard() };
        if (validationFiles.Count > 0 && parallel.IsMain)
            callbacks.Add(new Validation(c.ValidateEvery, state =>
            {
                var renderSize = state.Schedule.Phases[Math.Min(state.PhaseIndex, state.Schedule.Phases.Count - 1)].ImageSize; // after the fit: the last size
                using var colorizer = new Colorizer(generator, new ColorizerOptions { RenderSize = renderSize, Device = device, Mode = c.Task == "defade" ? Recombination.AddResidual : Recombination.KeepLuminance }, ownsModel: false);
                var degradationForEval = c.Task == "colorize" ? (Degradation)new FilmGrayscale() : degradation;
                lastValidation = ColorizeEvaluation.Run(colorizer, validationFiles, degradationForEval, seed: 1, baselines: false);
                generator.train();
                var m = lastValidation.Mean("model");
                return new Dictionary<string, double> { ["psnr"] = m.Psnr, ["ssim"] = m.Ssim, ["chroma_error"] = m.ChromaError, ["colorfulness"] = m.Colorfulness };
            }, writer!, history));
        if (progress is not null && parallel.IsMain) callbacks.Add(new ProgressReporter(progress));

        var loaders = new Dictionary<int, DataLoader<ImagePair, ImageBatch>>();
        var trainer = new Trainer<ImageBatch>(step, phase =>
            loaders.TryGetValue(phase.ImageSize * 1000 + phase.BatchSize, out var l) ? l
                : loaders[phase.ImageSize * 1000 + phase.BatchSize] = DataLoader.Create(Pairs(files, phase.ImageSize, degradation), phase.BatchSize,
                    parallel.Shard(new DataLoaderOptions { Shuffle = true, Seed = c.Seed, NumWorkers = c.Workers, DropLast = true, Log = log.WriteLine }, files.Count, c.Seed)),
            schedule, c.Run, callbacks);
        log.WriteLine(trainer.Describe());
        TrainingPosition? at = null;
        var latest = Checkpointer.LatestPath(c.Run);
        if (resume)
        {
            if (!File.Exists(latest)) throw new FileNotFoundException($"--resume: no checkpoint at '{latest}'");
            at = Checkpoint.Restore(latest, step.Models, step.Optimizers);
            log.WriteLine($"resumed from {latest} at step {at.GlobalStep}");
        }
        var state = trainer.Fit(at, cancel);
        var weights = Path.Combine(c.Run, "generator.safetensors");
        var architecture = c.GeneratorArchitecture;
        if (zhang is not null && !state.Diverged && !cancel.IsCancellationRequested && parallel.IsMain)
        {
            var chosen = ChooseDecoding(zhang, c, device, log);
            if (chosen is { } d) zhang.SetDecoding(d);
            architecture = zhang.Spec.ToJson();
        }
        if (!state.Diverged && parallel.IsMain)
            ModelFile.Save(weights, generator, new ModelFileInfo(c.GeneratorNetwork, architecture, c.Task),
                new Dictionary<string, string> { ["config"] = configJson, ["workbench.global_step"] = state.GlobalStep.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new ColorizeRunResult(state, weights, lastValidation);
    }

    /// <summary>
    /// Zhang et al.'s rebalanced loss with the class prior measured on the training crops themselves (ab at the
    /// logits' quarter resolution, up to 2,000 crops in file order: deterministic).
    /// </summary>
    public static RebalancedAbLoss ZhangLoss(ZhangColorizer zhang, IReadOnlyList<string> files, ColorizeConfig c, TextWriter log)
    {
        using var scope = torch.NewDisposeScope();
        var counts = torch.zeros(zhang.Bins.Count);
        var sample = files.Count <= 2000 ? files : Enumerable.Range(0, 2000).Select(i => files[(int)((long)i * files.Count / 2000)]).ToList();
        foreach (var file in sample)
        {
            using var inner = torch.NewDisposeScope();
            var image = ImageIO.Read(file).unsqueeze(0);
            var ab = ColorSpace.RgbToLab(image).narrow(1, 1, 2);
            ab = F.adaptive_avg_pool2d(ab, new nn.Size2(Math.Max(1, ab.size(2) / ZhangColorNet.OutputStride), Math.Max(1, ab.size(3) / ZhangColorNet.OutputStride)));
            counts.add_(zhang.Bins.Histogram(ab) * (ab.size(2) * ab.size(3)));
        }
        var prior = counts / counts.sum();
        var weights = zhang.Bins.RebalanceWeights(prior, c.RebalanceLambda);
        log.WriteLine($"zhang: {zhang.Bins.Count} ab bins, prior from {sample.Count} crops; class weights {weights.min().item<float>():F2}..{weights.max().item<float>():F2} (λ = {c.RebalanceLambda})");
        return new RebalancedAbLoss(zhang.Bins, weights.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// The decoding (annealed-mean temperature × chroma scale × smoothing × prior correction) with the lowest chroma
    /// error on the validation photos among those whose colourfulness reaches <see cref="ColorizeConfig.MinColorfulnessShare"/>
    /// of the originals' (or the most colourful one if none does); null without validation photos.
    /// </summary>
    public static ZhangDecoding? ChooseDecoding(ZhangColorizer zhang, ColorizeConfig c, Device device, TextWriter log)
    {
        if (c.Validation == "" || !Directory.Exists(c.Validation)) return null;
        var files = ImagesDataset.FromDirsRecursive(new[] { c.Validation }).Files;
        return files.Count == 0 ? null : TuneDecoding(zhang, files, c, device, log).Chosen;
    }

    /// <summary>The decoding <see cref="TuneDecoding"/> chose, and the leave-one-photo-out estimate of the choice (null with one photo).</summary>
    public sealed record DecodingTuning(ZhangDecoding Chosen, DecodingChoice.Estimate? LeaveOneOut);

    /// <summary>The grid search of <see cref="ChooseDecoding"/> on given photos over <paramref name="grid"/>'s
    /// temperatures, chroma scales, smoothings and prior corrections (only α = 0 when the colorizer has no class
    /// weights recorded), with its colourfulness floor; the colorizer's decoding is left as it was. Also estimates, by
    /// <see cref="DecodingChoice.LeaveOneOut"/>, what the choice is worth on photos it was not made on.</summary>
    public static DecodingTuning TuneDecoding(ZhangColorizer zhang, IReadOnlyList<string> files, ColorizeConfig grid, Device device, TextWriter log, int renderSize = 256)
    {
        var original = zhang.Decoding;
        var candidates = new List<DecodingChoice.Candidate<ZhangDecoding>>();
        DecodingChoice.Reference? reference = null;
        var hasClassWeights = zhang.HasClassWeights;
        var corrections = hasClassWeights ? grid.PriorCorrections : new[] { 0.0 };
        if (!hasClassWeights) log.WriteLine("zhang: no class weights recorded with this colorizer; prior correction not tried");
        using var colorizer = new Colorizer(zhang, new ColorizerOptions { Device = device, RenderSize = renderSize }, ownsModel: false);
        foreach (var alpha in corrections)
            foreach (var smoothing in grid.Smoothings)
                foreach (var t in grid.Temperatures)
                    foreach (var scale in grid.ChromaScales)
                    {
                        var d = new ZhangDecoding(t, scale, smoothing, alpha);
                        zhang.SetDecoding(d);
                        var r = ColorizeEvaluation.Run(colorizer, files, new FilmGrayscale(), seed: 1, baselines: reference is null);
                        reference ??= new(r.Scores.Where(s => s.Method == "input").Select(s => s.ChromaError).ToList(), r.OriginalColorfulness);
                        var model = r.Scores.Where(s => s.Method == "model").ToList();
                        candidates.Add(new(d, model.Select(s => s.ChromaError).ToList(), model.Select(s => s.Colorfulness).ToList()));
                        var m = r.Mean("model");
                        log.WriteLine($"zhang: {d}: chroma error {m.ChromaError:F2}, colourfulness {m.Colorfulness:F1} (originals {r.TargetColorfulness:F1})");
                    }
        zhang.SetDecoding(original);
        zhang.Net.train();
        var all = Enumerable.Range(0, files.Count).ToList();
        var best = candidates[DecodingChoice.Best(candidates, reference!.OriginalColorfulness, grid.MinColorfulnessShare, all)];
        log.WriteLine($"zhang: chose {best.Setting} on {files.Count} validation photos (chroma error {best.ChromaError.Average():F2}, colourfulness {best.Colorfulness.Average():F1})");
        var estimate = DecodingChoice.LeaveOneOut(candidates, reference, grid.MinColorfulnessShare);
        if (estimate is not null) log.WriteLine($"zhang: leave-one-photo-out estimate of this choice: {estimate}");
        return new DecodingTuning(best.Setting, estimate);
    }

    /// <summary>Disposes what the loss holds (VGG, feature losses) in reverse order.</summary>
    private sealed class Owned : IDisposable
    {
        private readonly List<IDisposable> items = new();

        public T Add<T>(T item) where T : IDisposable
        {
            items.Add(item);
            return item;
        }

        public void Dispose()
        {
            for (var i = items.Count - 1; i >= 0; i--) items[i].Dispose();
        }
    }

    /// <summary>Puts the resolved config into the run's notes, so checkpoints and TensorBoard carry it.</summary>
    private sealed class ConfigNote(string json) : Callback
    {
        public override int Order => Orders.Schedule;

        public override void BeforeFit(TrainingState state) => state.Notes["config"] = json;
    }
}
