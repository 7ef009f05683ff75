using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// Gaussian blur with a random sigma (pixels); optionally anisotropic — two sigmas and a random rotation,
/// as Real-ESRGAN's generalized blur kernels, which cover defocus and slight camera shake in one family.
/// </summary>
public sealed class GaussianBlur : Degradation
{
    /// <param name="sigma">Sigma range in pixels.</param>
    /// <param name="anisotropicProbability">Chance of an elongated, rotated kernel instead of a round one.</param>
    public GaussianBlur(ValueRange sigma, double anisotropicProbability = 0)
    {
        Sigma = sigma.Validate(nameof(sigma), 0.05, 50);
        if (!(anisotropicProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(anisotropicProbability));
        AnisotropicProbability = anisotropicProbability;
    }

    public ValueRange Sigma { get; }

    public double AnisotropicProbability { get; }

    public override string Name => $"GaussianBlur(σ {Sigma}{(AnisotropicProbability > 0 ? $", anisotropic p={AnisotropicProbability:G3}" : "")})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var sx = Sigma.Sample(random);
        var anisotropic = AnisotropicProbability > 0 && random.NextDouble() < AnisotropicProbability;
        var sy = anisotropic ? Sigma.Sample(random) : sx;
        var angle = anisotropic ? random.NextDouble() * Math.PI : 0;
        return BlurKernels.Filter(image, BlurKernels.Gaussian(sx, sy, angle));
    }
}

/// <summary>Motion blur: a straight streak of random length (pixels) and direction, as from a moving camera.</summary>
public sealed class MotionBlur : Degradation
{
    /// <param name="length">Streak length range in pixels.</param>
    /// <param name="angleDegrees">Direction range in degrees (0 = horizontal, counter-clockwise).</param>
    public MotionBlur(ValueRange length, ValueRange? angleDegrees = null)
    {
        Length = length.Validate(nameof(length), 1, 200);
        Angle = (angleDegrees ?? new ValueRange(0, 180)).Validate(nameof(angleDegrees), -360, 360);
    }

    public ValueRange Length { get; }

    public ValueRange Angle { get; }

    public override string Name => $"MotionBlur(length {Length}, angle {Angle}°)";

    protected override Tensor ApplyCore(Tensor image, Random random) =>
        BlurKernels.Filter(image, BlurKernels.MotionLine(Length.Sample(random), Angle.Sample(random) * Math.PI / 180));
}

/// <summary>Blur kernels built here, applied by the shim's filter2d (OpenCV, reflected borders).</summary>
public static class BlurKernels
{
    /// <summary>Filters every channel of a CHW float image with a square kernel.</summary>
    public static Tensor Filter(Tensor image, float[,] kernel)
        => PixelFilter.Filter2d(image, kernel);

    /// <summary>
    /// A normalized Gaussian with standard deviations <paramref name="sigmaX"/> and <paramref name="sigmaY"/> along axes
    /// rotated by <paramref name="angle"/> radians; odd size covering 3 sigmas.
    /// </summary>
    public static float[,] Gaussian(double sigmaX, double sigmaY, double angle = 0)
    {
        var radius = Math.Max(1, (int)Math.Ceiling(3 * Math.Max(sigmaX, sigmaY)));
        var size = 2 * radius + 1;
        var (cos, sin) = (Math.Cos(angle), Math.Sin(angle));
        var kernel = new float[size, size];
        var sum = 0.0;
        var values = new double[size, size];
        for (var y = -radius; y <= radius; y++)
        {
            for (var x = -radius; x <= radius; x++)
            {
                // Coordinates in the kernel's own (rotated) axes.
                var u = cos * x + sin * y;
                var v = -sin * x + cos * y;
                var value = Math.Exp(-0.5 * (u * u / (sigmaX * sigmaX) + v * v / (sigmaY * sigmaY)));
                values[y + radius, x + radius] = value;
                sum += value;
            }
        }
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                kernel[y, x] = (float)(values[y, x] / sum);
        return kernel;
    }

    /// <summary>
    /// A normalized line of <paramref name="length"/> pixels through the centre at <paramref name="angle"/> radians,
    /// drawn anti-aliased (points every 1/4 pixel splatted bilinearly), so short and diagonal streaks stay smooth.
    /// </summary>
    public static float[,] MotionLine(double length, double angle)
    {
        var radius = Math.Max(1, (int)Math.Ceiling(length / 2) + 1);
        var size = 2 * radius + 1;
        var values = new double[size, size];
        var (dx, dy) = (Math.Cos(angle), -Math.Sin(angle)); // y grows downwards in images
        var steps = Math.Max(1, (int)Math.Ceiling(length * 4));
        for (var i = 0; i <= steps; i++)
        {
            var t = (i / (double)steps - 0.5) * length;
            var (px, py) = (radius + t * dx, radius + t * dy);
            var (x0, y0) = ((int)Math.Floor(px), (int)Math.Floor(py));
            var (fx, fy) = (px - x0, py - y0);
            Splat(values, x0, y0, (1 - fx) * (1 - fy));
            Splat(values, x0 + 1, y0, fx * (1 - fy));
            Splat(values, x0, y0 + 1, (1 - fx) * fy);
            Splat(values, x0 + 1, y0 + 1, fx * fy);
        }
        var sum = 0.0;
        foreach (var v in values) sum += v;
        var kernel = new float[size, size];
        for (var y = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                kernel[y, x] = (float)(values[y, x] / sum);
        return kernel;
    }

    private static void Splat(double[,] values, int x, int y, double weight)
    {
        if (x >= 0 && y >= 0 && y < values.GetLength(0) && x < values.GetLength(1)) values[y, x] += weight;
    }
}
