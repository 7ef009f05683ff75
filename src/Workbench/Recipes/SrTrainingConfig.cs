using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Training;

namespace Workbench.Recipes;

/// <summary>
/// Everything a super-resolution training run depends on, flat, with the defaults of the quickstart-sized
/// ESPCN x2 run (a few CPU minutes). Resolve with <c>Config.Resolve(new SrTrainingConfig(), file, overrides)</c>;
/// keys are camelCase in JSON and on the command line (<c>--set pretrainIterations=2000</c>). The resolved
/// config is written beside the checkpoints (<c>checkpoints/config.json</c>) and into TensorBoard.
/// </summary>
public sealed record SrTrainingConfig
{
    // ---- generator ----------------------------------------------------------------------------------

    /// <summary>SR generator from the registry: espcn, rrdb, dilated-rrdb.</summary>
    public string Arch { get; init; } = "espcn";

    /// <summary>Upscaling factor of the trained model (output size / input size).</summary>
    public int Scale { get; init; } = 2;

    /// <summary>Feature channels (ESPCN hidden width, RRDB trunk). ESPCN paper 64, the notes 128.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>RRDB blocks (rrdb, dilated-rrdb only): a CPU-sized 4, ESRGAN 23, the notes 16.</summary>
    public int Blocks { get; init; } = 4;

    /// <summary>Upsampling tail: "default" (the network's own), "one" (one sub-pixel step by the whole factor), "x2" (x2 steps, the notes' x2x2).</summary>
    public string Head { get; init; } = "default";

    /// <summary>Channels inside a "one"/"x2" head after each pixel shuffle.</summary>
    public int HeadChannels { get; init; } = 64;

    /// <summary>3x3 convs after the last upsampling in a "one"/"x2" head (the notes: a couple help).</summary>
    public int HeadConvsAfter { get; init; }

    /// <summary>
    /// Predict the residual over an antialiased bicubic upsample (VDSR's global skip; the last conv starts at zero, so
    /// step 0 is bicubic). The fastest way to beat bicubic on a CPU budget. An ESPCN is exported folded into a plain
    /// ESPCN with 2·3·r² more channels (<see cref="EspcnBicubic.FoldResidual"/>), which <c>workbench upscale</c> loads;
    /// other architectures export with <c>residual=bicubic</c> metadata that the upscaler does not apply yet.
    /// </summary>
    public bool ResidualOverBicubic { get; init; } = true;

    /// <summary>
    /// ESPCN without the residual: start from weights that compute bicubic exactly (<see cref="EspcnBicubic.Init"/>),
    /// a plain ESPCN from step 0. Measured (500 steps, defaults otherwise): +1.05 dB over bicubic, vs +1.27 dB for the
    /// residual and −0.43 dB for a random init. Kept for comparison.
    /// </summary>
    public bool BicubicInit { get; init; }

    /// <summary>
    /// The notes' "x2 applied twice": the generator is built at x2 and trained as generator(generator(x)) against the
    /// x<see cref="Scale"/> target (Scale must be 4). The exported weights are the x2 network.
    /// </summary>
    public bool ApplyTwice { get; init; }

    // ---- data ---------------------------------------------------------------------------------------

    /// <summary>Prepared training crops (<c>workbench data init</c> or <c>workbench prepare</c>), searched recursively.</summary>
    public string TrainDir { get; init; } = "data/photos/train";

    /// <summary>Held-out photos for validation (never trained on).</summary>
    public string TestDir { get; init; } = "data/photos/test";

    /// <summary>Side of the high-resolution training crop, a multiple of the scale; the input is CropSize/Scale.</summary>
    public int CropSize { get; init; } = 64;

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = 16;

    /// <summary>Random horizontal flips and 90° rotations of the crops (free extra data).</summary>
    public bool Flips { get; init; } = true;

    /// <summary>
    /// Kernels the input is downscaled with, picked at random per image: "bicubic" (antialiased, as the held-out
    /// set is made), or a comma list of area, bicubic, bilinear, nearest, or "any" (all four; the notes' warning
    /// that a model learns the quirks of one resampler).
    /// </summary>
    public string DownscaleKernels { get; init; } = "bicubic";

    /// <summary>
    /// "simple": the kernels, noise and JPEG settings here, in that order. "realesrgan": Real-ESRGAN's second-order
    /// pipeline (<see cref="Data.Degradations.RealEsrganDegradation"/>: blur, resize, noise, JPEG, twice), for
    /// fine-tuning a published Real-ESRGAN file (<c>initWeights=RealESRGAN_x4plus.pth</c>) on real-world damage.
    /// </summary>
    public string Degradation { get; init; } = "simple";

    /// <summary>Probability of a JPEG round trip on the low-resolution input (the notes' only real-world artifact).</summary>
    public double JpegProbability { get; init; }

    /// <summary>Lowest JPEG quality drawn.</summary>
    public int JpegQualityMin { get; init; } = 30;

    /// <summary>Highest JPEG quality drawn; never 100 (the notes: q=100 breaks differentiable JPEG and teaches nothing).</summary>
    public int JpegQualityMax { get; init; } = 95;

    /// <summary>Probability of Gaussian noise on the low-resolution input.</summary>
    public double NoiseProbability { get; init; }

    /// <summary>Largest noise sigma drawn, in 0-255 units (uniform in [1, this]).</summary>
    public double NoiseSigmaMax { get; init; } = 8;

    /// <summary>DataLoader decoding threads (0 decodes on the batcher thread).</summary>
    public int Workers { get; init; } = 1;

    // ---- phase 1: pixel-loss pretraining -------------------------------------------------------------

    /// <summary>Iterations of the pixel-loss phase (the quickstart budget: about 2-3 minutes on 2 loaded cores).</summary>
    public int PretrainIterations { get; init; } = 500;

    /// <summary>Adam learning rate of the pixel-loss phase (cosine-annealed within the phase).</summary>
    public double PretrainLr { get; init; } = 1e-3;

    /// <summary>
    /// High-resolution pixels left out of the pixel and perceptual losses at each side of a crop. The network's convs
    /// zero-pad, so near a crop's edge it sees black that never occurs at inference (the Upscaler mirrors borders).
    /// Off by default because it did not help: with the residual, 8 px gave +0.95 dB over bicubic vs +1.05 dB with 0
    /// (300 steps); with <see cref="BicubicInit"/>, +1.03 vs +1.05 dB (500 steps). One seed each.
    /// </summary>
    public int LossBorder { get; init; }

    /// <summary>Pixel loss: l1 (sharper; ESRGAN, fastai) or mse (the PSNR objective, ESPCN's).</summary>
    public string PixelLoss { get; init; } = "l1";

    // ---- phase 2: perceptual + GAN -------------------------------------------------------------------

    /// <summary>Iterations of the GAN phase (0 = pixel training only). With k critic steps per generator step, 1 in k+1 iterations trains G.</summary>
    public int GanIterations { get; init; }

    /// <summary>Generator learning rate in the GAN phase; the critic's is <see cref="CriticLrRatio"/> times it.</summary>
    public double GanLr { get; init; } = 1e-4;

    /// <summary>Weight of the pixel loss in the GAN phase (it keeps the output faithful to the input).</summary>
    public double GanPixelWeight { get; init; } = 1.0;

    /// <summary>
    /// Weight of the VGG16 perceptual loss in the GAN phase. 0 by default: without a converted VGG16 weights file
    /// (<see cref="VggWeights"/>) the VGG is random and the loss compares random features, so the recipe does not lean on it.
    /// </summary>
    public double PerceptualWeight { get; init; }

    /// <summary>torchvision's VGG16 file (vgg16-397923af.pth) or a safetensors conversion of it; empty: random weights, with a warning.</summary>
    public string VggWeights { get; init; } = "";

    /// <summary>
    /// Start the generator from these weights (fine-tuning): ours, or a published PyTorch file such as Real-ESRGAN's
    /// RealESRGAN_x4plus.pth. The file decides the network's widths and depths; arch and scale must agree with it, and
    /// residualOverBicubic must be false (the file's network outputs the whole image). Empty: a fresh network.
    /// </summary>
    public string InitWeights { get; init; } = "";

    /// <summary>Weight of the adversarial term in the generator's loss (SRGAN 1e-3).</summary>
    public double AdversarialWeight { get; init; } = 1e-3;

    /// <summary>Critic iterations per generator iteration (the notes: several, they are cheap).</summary>
    public int CriticStepsPerGeneratorStep { get; init; } = 1;

    /// <summary>TTUR: critic learning rate / generator learning rate.</summary>
    public double CriticLrRatio { get; init; } = 4;

    /// <summary>Width of the notes' dilation discriminator (doubles at each of its 3 poolings).</summary>
    public int CriticChannels { get; init; } = 16;

    /// <summary>Dropout in the critic's 1x1 head (the notes tried it against generator overfitting).</summary>
    public double CriticDropout { get; init; }

    /// <summary>GAN loss: "notes" (pairwise relativistic, no reward where fake already beats real), "relativistic" (ESRGAN's RaGAN), "bce".</summary>
    public string GanLoss { get; init; } = "notes";

    /// <summary>Random shift of the critic's view, 0-7 px (the notes: the critic downsamples by 8); 0 = off.</summary>
    public int CriticShift { get; init; } = 8;

    // ---- validation, logging, checkpoints ------------------------------------------------------------

    /// <summary>Validate (PSNR/SSIM on Y vs bicubic, held-out set) every this many steps, and at the end; 0 = only at the end.</summary>
    public int ValidateEvery { get; init; } = 100;

    /// <summary>Side of the centre crop of each held-out photo (high resolution); 0 = whole photos.</summary>
    public int ValidationCrop { get; init; } = 256;

    /// <summary>Scalars to TensorBoard every this many steps.</summary>
    public int LogEvery { get; init; } = 1;

    /// <summary>Sample grids (input | output | target) every this many steps; 0 = never.</summary>
    public int ImageEvery { get; init; } = 100;

    /// <summary>Weight histograms every this many steps; 0 = never.</summary>
    public int HistogramEvery { get; init; } = 500;

    /// <summary>Checkpoint every this many steps (also at each phase end and on Ctrl-C).</summary>
    public int CheckpointEvery { get; init; } = 500;

    /// <summary>Root of the run folders: &lt;runsDir&gt;/&lt;run name&gt;/.</summary>
    public string RunsDir { get; init; } = "runs";

    /// <summary>Seeds weights, data order, crops and degradations.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// libtorch intra-op threads while training (restored after); 0 = the process's (the CLI sets it by
    /// <see cref="ThreadPolicy"/>: idle cores, so a busy machine gets fewer threads instead of spinning ones).
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The input degradation these settings describe (derived; not saved).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public SrDegradation InputDegradation => new(DownscaleKernels, NoiseProbability, NoiseSigmaMax, JpegProbability, JpegQualityMin, JpegQualityMax, Degradation == "realesrgan");

    /// <summary>Throws <see cref="ArgumentException"/> naming the first inconsistent value.</summary>
    public void Check()
    {
        var c = this;
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
        Require(c.Degradation is "simple" or "realesrgan", $"degradation must be simple or realesrgan, got '{c.Degradation}'");
        SrPairs.ParseKernels(c.DownscaleKernels);
    }
}
