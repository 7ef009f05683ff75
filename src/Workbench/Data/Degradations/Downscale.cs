using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// Shrinks the image by a factor (x2, x4, ...) with a kernel picked at random from <see cref="Kernels"/>, so a
/// super-resolution model does not learn the quirks of one resampler (the seed notes' warning). Output size
/// is floor(size / factor). With <see cref="RestoreSize"/> the result is enlarged back (bicubic) to the input
/// size, for models whose input and output have the same size (fastai's crappify + U-Net).
/// </summary>
public sealed class Downscale : Degradation
{
    public static readonly IReadOnlyList<ResizeKernel> AllKernels = Enum.GetValues<ResizeKernel>();

    /// <param name="factor">Shrink factor (≥ 1); may be fractional.</param>
    /// <param name="kernels">Kernels to pick from uniformly; default all of them.</param>
    /// <param name="restoreSize">Enlarge back to the input size afterwards.</param>
    public Downscale(double factor, IReadOnlyList<ResizeKernel>? kernels = null, bool restoreSize = false)
    {
        if (!(factor >= 1)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "a downscale factor is at least 1");
        Factor = factor;
        Kernels = kernels is { Count: > 0 } ? kernels : AllKernels;
        RestoreSize = restoreSize;
    }

    public Downscale(double factor, ResizeKernel kernel, bool restoreSize = false) : this(factor, [kernel], restoreSize)
    {
    }

    public double Factor { get; }

    public IReadOnlyList<ResizeKernel> Kernels { get; }

    public bool RestoreSize { get; }

    public override string Name => $"Downscale(x{Factor:G3}, {(Kernels.Count == AllKernels.Count ? "any kernel" : string.Join("/", Kernels))}{(RestoreSize ? ", restored" : "")})";

    /// <summary>The size an image of <paramref name="height"/> x <paramref name="width"/> shrinks to.</summary>
    public (long Height, long Width) OutputSize(long height, long width) =>
        (Math.Max(1, (long)Math.Floor(height / Factor + 1e-9)), Math.Max(1, (long)Math.Floor(width / Factor + 1e-9)));

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var kernel = Kernels[random.Next(Kernels.Count)];
        var (h, w) = OutputSize(image.size(1), image.size(2));
        var small = Resize.Apply(image, h, w, kernel);
        return RestoreSize ? Resize.Apply(small, image.size(1), image.size(2), ResizeKernel.BicubicAntialias) : small;
    }
}

/// <summary>
/// Resizes by a random factor in a range (Real-ESRGAN's random up/down step between the blur and the noise),
/// with a random kernel. Factors below 1 shrink, above 1 enlarge.
/// </summary>
public sealed class RandomResize : Degradation
{
    public RandomResize(ValueRange scale, IReadOnlyList<ResizeKernel>? kernels = null)
    {
        Scale = scale.Validate(nameof(scale), 0.01, 100);
        Kernels = kernels is { Count: > 0 } ? kernels : Downscale.AllKernels;
    }

    public ValueRange Scale { get; }

    public IReadOnlyList<ResizeKernel> Kernels { get; }

    public override string Name => $"RandomResize(x{Scale})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var s = Scale.Sample(random);
        var kernel = Kernels[random.Next(Kernels.Count)];
        var h = Math.Max(1, (long)Math.Round(image.size(1) * s));
        var w = Math.Max(1, (long)Math.Round(image.size(2) * s));
        return Resize.Apply(image, h, w, kernel);
    }
}

/// <summary>Resizes to a fixed size with a random kernel (the last step of a pipeline that must end at LR size).</summary>
public sealed class ResizeTo : Degradation
{
    public ResizeTo(long height, long width, IReadOnlyList<ResizeKernel>? kernels = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Height = height;
        Width = width;
        Kernels = kernels is { Count: > 0 } ? kernels : Downscale.AllKernels;
    }

    public long Height { get; }

    public long Width { get; }

    public IReadOnlyList<ResizeKernel> Kernels { get; }

    public override string Name => $"ResizeTo({Width}x{Height})";

    protected override Tensor ApplyCore(Tensor image, Random random) => Resize.Apply(image, Height, Width, Kernels[random.Next(Kernels.Count)]);
}
