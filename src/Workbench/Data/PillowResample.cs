using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Pillow's <c>Image.resize</c> of an 8-bit image, bit for bit (libImaging/Resample.c): per output pixel the filter's
/// weights over the antialiased support (widened by the scale factor when shrinking), normalized to sum 1, then turned
/// into 22-bit fixed point (<c>(int)(w·2²² ± 0.5)</c>); each pass sums integer products from 2²¹ (rounding half up) and
/// keeps the top bits, clipped to a byte. Horizontal pass first, then vertical, each skipped when its size is unchanged.
/// A float resize rounds differently wherever a result sits on a half level (bilinear upscales land on many).
/// The sums are exact in float64 (at most 2⁸·2²²·taps).
/// </summary>
internal static class PillowResample
{
    private const int PrecisionBits = 22;

    /// <summary>Pillow's filters this implements.</summary>
    public enum Filter { Bilinear, Bicubic }

    /// <summary>Resizes float64 byte levels (C, H, W) to (C, height, width); the result holds byte levels too.</summary>
    public static Tensor Resize(Tensor levels, int height, int width, Filter filter)
    {
        using var scope = torch.NewDisposeScope();
        var x = levels.to(ScalarType.Float64);
        if (x.size(2) != width) x = Pass(x.matmul(Coefficients((int)x.size(2), width, filter).t()));   // (C, H, width)
        if (x.size(1) != height) x = Pass(Coefficients((int)x.size(1), height, filter).matmul(x));     // (C, height, width)
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>clip8: the accumulated sum from 2²¹ shifted right by 22 bits, clipped to 0..255.</summary>
    private static Tensor Pass(Tensor sums) => ((sums + (1 << (PrecisionBits - 1))) / (1 << PrecisionBits)).floor_().clamp_(0, 255);

    /// <summary>precompute_coeffs + normalize_coeffs_8bpc: (outSize, inSize) integer weights, as float64.</summary>
    private static Tensor Coefficients(int inSize, int outSize, Filter filter)
    {
        var (support, kernel) = filter switch
        {
            Filter.Bilinear => (1.0, (Func<double, double>)Triangle),
            _ => (2.0, Cubic),
        };
        var scale = (double)inSize / outSize;
        var filterScale = Math.Max(scale, 1.0);
        support *= filterScale;
        var weights = new double[outSize * inSize];
        for (var o = 0; o < outSize; o++)
        {
            var center = (o + 0.5) * scale;
            var xmin = Math.Max((int)(center - support + 0.5), 0);
            var xmax = Math.Min((int)(center + support + 0.5), inSize);
            var w = new double[Math.Max(xmax - xmin, 0)];
            var total = 0.0;
            for (var i = 0; i < w.Length; i++) total += w[i] = kernel((i + xmin - center + 0.5) / filterScale);
            for (var i = 0; i < w.Length; i++)
            {
                var k = total != 0 ? w[i] / total : w[i];
                weights[o * inSize + xmin + i] = k < 0 ? (int)(-0.5 + k * (1 << PrecisionBits)) : (int)(0.5 + k * (1 << PrecisionBits));
            }
        }
        return torch.tensor(weights, [outSize, inSize], ScalarType.Float64);
    }

    private static double Triangle(double x) => Math.Abs(x) < 1 ? 1 - Math.Abs(x) : 0;

    /// <summary>Keys cubic with a = −0.5 (Pillow's bicubic_filter).</summary>
    private static double Cubic(double x)
    {
        const double a = -0.5;
        x = Math.Abs(x);
        if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
        if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
        return 0;
    }
}
