using System.Text.Json.Serialization;

using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Training;

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

    /// <summary>Start from these generator weights (a file `workbench colorize` reads, e.g. the shipped model) instead of a fresh init; "" = none.
    /// Same network required, except that DeOldify's published generators (ColorizeArtistic_gen.pth, ColorizeStable_gen.pth)
    /// replace a U-Net preset with their own architecture.</summary>
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

    /// <summary>Certainty exponents κ tried with each of those (zhang: <see cref="ZhangSpec.Certainty"/>; 0 = off).</summary>
    public double[] Certainties { get; init; } = { 0 };

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

    /// <summary>The decoding settings <see cref="DecodingTuning.Tune"/> searches (zhang).</summary>
    [JsonIgnore]
    public DecodingGrid DecodingGrid => new(Temperatures, ChromaScales, Smoothings, PriorCorrections, MinColorfulnessShare, Certainties);

    [JsonIgnore]
    public double EffectivePerceptualWeight => PerceptualWeight >= 0 ? PerceptualWeight : VggWeights != "" ? 1.0 : 0.0;
}

/// <summary>What a finished (or stopped) run left behind.</summary>
public sealed record ColorizeRunResult(TrainingState State, string WeightsPath, ColorizeEvaluationResult? Validation);
