using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>The resamplers a <see cref="Downscale"/> can pick from: the ones real pipelines use, quirks included.</summary>
public enum ResizeKernel
{
    /// <summary>Exact area averaging (OpenCV INTER_AREA, Pillow BOX).</summary>
    Area,

    /// <summary>Antialiased bicubic (a = -0.5), as Pillow's BICUBIC and F.interpolate(antialias=True): the careful downscale.</summary>
    BicubicAntialias,

    /// <summary>Plain bilinear without antialiasing (cv2.INTER_LINEAR, F.interpolate's default): aliasing included.</summary>
    Bilinear,

    /// <summary>Nearest neighbour at pixel centres ("nearest-exact"): jaggies.</summary>
    Nearest,
}

/// <summary>Runs a <see cref="ResizeKernel"/> through <see cref="ImageResize"/>.</summary>
public static class ResizeKernels
{
    public static Tensor Resize(Tensor image, long height, long width, ResizeKernel kernel) => kernel switch
    {
        ResizeKernel.Area => ImageResize.Resize(image, (int)height, (int)width, InterpolationMode.Area),
        ResizeKernel.BicubicAntialias => ImageResize.Resize(image, (int)height, (int)width, InterpolationMode.Bicubic, antialias: true),
        ResizeKernel.Bilinear => ImageResize.Resize(image, (int)height, (int)width, InterpolationMode.Bilinear, antialias: false),
        ResizeKernel.Nearest => ImageResize.Resize(image, (int)height, (int)width, InterpolationMode.Nearest),
        _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown resize kernel"),
    };
}

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
        var small = ResizeKernels.Resize(image, h, w, kernel);
        return RestoreSize ? ResizeKernels.Resize(small, image.size(1), image.size(2), ResizeKernel.BicubicAntialias) : small;
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
        return ResizeKernels.Resize(image, h, w, kernel);
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

    protected override Tensor ApplyCore(Tensor image, Random random) => ResizeKernels.Resize(image, Height, Width, Kernels[random.Next(Kernels.Count)]);
}
