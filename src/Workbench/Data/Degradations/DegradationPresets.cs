using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>Ready-made degradation pipelines for the workbench's tasks.</summary>
public static class DegradationPresets
{
    /// <summary>
    /// The seed notes' super-resolution input: downscale by <paramref name="scale"/> with a random kernel, then
    /// (with probability <paramref name="jpegProbability"/>) JPEG at quality 30..95 — the one real-world
    /// artifact the notes kept, after the model had mistaken compression blocks for detail.
    /// </summary>
    public static Degradation SuperResolution(int scale, double jpegProbability = 0.5) =>
        new Downscale(scale).Then(new JpegCompression((30, 95)).WithProbability(jpegProbability));

    /// <summary>Real-ESRGAN-style second-order degradation to 1/<paramref name="scale"/> of the input size.</summary>
    public static Degradation RealEsrgan(int scale) => new RealEsrganDegradation(scale);

    /// <summary>
    /// fastai's "crappify" (lesson 7): shrink (bilinear, by <paramref name="factor"/>), stamp random text, save
    /// as JPEG at quality 10..70. With <paramref name="restoreSize"/> the result is enlarged back to the input
    /// size, for a U-Net whose input and output have the same size.
    /// </summary>
    public static Degradation Crappify(double factor = 2, bool restoreSize = true)
    {
        var pipeline = Degradation.Sequence(new Downscale(factor, ResizeKernel.Bilinear), new TextWatermark(), new JpegCompression((10, 70)));
        return restoreSize ? new RestoreSizeDegradation(pipeline) : pipeline;
    }

    /// <summary>DeOldify's DeFade input: a faded, washed-out, tinted version of the photo, sometimes slightly soft or grainy.</summary>
    public static Degradation DeFade() =>
        Degradation.Sequence(
            new Fade(),
            new GaussianBlur((0.3, 1.2)).WithProbability(0.3),
            new GaussianNoise((1 / 255.0, 8 / 255.0), grayProbability: 0.8).WithProbability(0.3));

    /// <summary>
    /// An old black-and-white photo from a colour one, for colorization training: film grayscale, often faded,
    /// sometimes grainy, soft or JPEG-compressed (as scans found online are).
    /// </summary>
    public static Degradation OldBlackAndWhite() =>
        Degradation.Sequence(
            new FilmGrayscale(),
            new Fade(saturation: 1.0, sepia: 0.0, yellowing: 0.0).WithProbability(0.5),
            new GaussianNoise((2 / 255.0, 12 / 255.0), grayProbability: 1).WithProbability(0.4),
            new GaussianBlur((0.3, 1.0)).WithProbability(0.3),
            new JpegCompression((40, 95)).WithProbability(0.3));

    /// <summary>Runs an inner pipeline, then resizes the result back to the input size (bicubic).</summary>
    private sealed class RestoreSizeDegradation(Degradation inner) : Degradation
    {
        public override string Name => inner.Name + " → RestoreSize";

        protected override Tensor ApplyCore(Tensor image, Random random) =>
            ResizeKernels.Resize(inner.Apply(image, random), image.size(1), image.size(2), ResizeKernel.BicubicAntialias);
    }
}

/// <summary>
/// Real-ESRGAN's "high-order" degradation, simplified: two rounds of blur → random resize → noise → JPEG
/// (the second round with probability 0.8 and milder settings), then a final resize to exactly
/// 1/<see cref="Scale"/> of the input, with the last JPEG before or after it. Blur kernels are isotropic or
/// anisotropic Gaussians or motion streaks; noise is Gaussian or Poisson, colour or gray.
/// </summary>
public sealed class RealEsrganDegradation : Degradation
{
    private readonly Degradation firstOrder;
    private readonly Degradation secondOrder;
    private readonly JpegCompression finalJpeg = new((30, 95));

    public RealEsrganDegradation(int scale)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(scale, 1);
        Scale = scale;
        firstOrder = Degradation.Sequence(
            Degradation.OneOf((new GaussianBlur((0.2, 3.0), anisotropicProbability: 0.5), 0.9), (new MotionBlur((3, 15)), 0.1)),
            Degradation.OneOf(new RandomResize((0.15, 1.0)), new RandomResize((1.0, 1.5)), Identity),
            Degradation.OneOf(new GaussianNoise((1 / 255.0, 30 / 255.0)), new PoissonNoise((30, 3000))),
            new JpegCompression((30, 95)));
        secondOrder = Degradation.Sequence(
            new GaussianBlur((0.2, 1.5), anisotropicProbability: 0.5).WithProbability(0.8),
            Degradation.OneOf(new RandomResize((0.3, 1.0)), new RandomResize((1.0, 1.2)), Identity),
            Degradation.OneOf(new GaussianNoise((1 / 255.0, 25 / 255.0)), new PoissonNoise((50, 5000)))).WithProbability(0.8);
    }

    public int Scale { get; }

    public override string Name => $"RealEsrgan(x{Scale})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var (h, w) = (Math.Max(1, image.size(1) / Scale), Math.Max(1, image.size(2) / Scale));
        var x = secondOrder.Apply(firstOrder.Apply(image, random), random);
        var resize = new ResizeTo(h, w);
        // Real-ESRGAN randomizes the order of the last two steps: resize then JPEG, or JPEG then resize.
        return random.NextDouble() < 0.5
            ? finalJpeg.Apply(resize.Apply(x, random), random)
            : resize.Apply(finalJpeg.Apply(x, random), random);
    }
}
