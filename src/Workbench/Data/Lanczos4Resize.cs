using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// <c>cv2.resize(samples, (width, height), interpolation=cv2.INTER_LANCZOS4)</c> on (H, W, C) integer samples, as
/// Real-ESRGAN's <c>--outscale</c> resizes its quantized output. 8-bit goes through OpenCV itself (fixed-point
/// taps); 16-bit (int32 holding 0..65535, libtorch 1.13 has no uint16) is redone here the way OpenCV's ushort path
/// works: OpenCV's 8-tap coefficients in float, rows then columns, edge samples repeated, rounded half to even.
/// No antialiasing when shrinking, as in OpenCV.
/// </summary>
public static class Lanczos4Resize
{
    private const int InterLanczos4 = 4; // cv::INTER_LANCZOS4

    public static Tensor Resize(Tensor hwc, long height, long width)
    {
        if (hwc.dim() != 3) throw new ArgumentException($"expected (H, W, C) samples, got shape [{string.Join(", ", hwc.shape)}]", nameof(hwc));
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {width}x{height}");
        return hwc.dtype switch
        {
            ScalarType.UInt8 => PixelResize.Uint8(hwc, height, width, ImagingNative.InterLanczos4),
            ScalarType.Int32 => Resize16(hwc, height, width),
            var other => throw new ArgumentException($"expected uint8 or int32 (16-bit) samples, got {other.TorchName()}", nameof(hwc)),
        };
    }

    private static Tensor Resize16(Tensor hwc, long height, long width)
    {
        using var scope = torch.NewDisposeScope();
        var x = hwc.to(ScalarType.Float32);
        var rows = Along(Along(x, 1, width), 0, height);
        return rows.round_().clamp_(0, 65535).to(ScalarType.Int32).MoveToOuterDisposeScope();
    }

    /// <summary>Resamples dimension <paramref name="dim"/> to <paramref name="size"/>: the 8 taps summed in order, in float.</summary>
    private static Tensor Along(Tensor x, int dim, long size)
    {
        var (index, coefficient) = Taps(x.size(dim), size);
        Tensor? sum = null;
        var shape = new long[] { 1, 1, 1 };
        shape[dim] = size;
        for (var k = 0; k < 8; k++)
        {
            var term = x.index_select(dim, torch.tensor(index[k], [size])) * torch.tensor(coefficient[k], [size]).view(shape);
            sum = sum is null ? term : sum.add_(term);
        }
        return sum!;
    }

    /// <summary>Per target position, the 8 source indices (clamped at the edges) and weights, as cv::resize computes them.</summary>
    internal static (long[][] Index, float[][] Coefficient) Taps(long source, long target)
    {
        var index = Enumerable.Range(0, 8).Select(_ => new long[target]).ToArray();
        var coefficient = Enumerable.Range(0, 8).Select(_ => new float[target]).ToArray();
        var scale = 1.0 / ((double)target / source);
        var c = new float[8];
        for (long d = 0; d < target; d++)
        {
            var f = (float)((d + 0.5) * scale - 0.5);
            var s = (long)Math.Floor(f);
            f -= s;
            Coefficients(f, c);
            for (var k = 0; k < 8; k++)
            {
                index[k][d] = Math.Clamp(s - 3 + k, 0, source - 1);
                coefficient[k][d] = c[k];
            }
        }
        return (index, coefficient);
    }

    /// <summary>OpenCV's interpolateLanczos4: sin(πt)·sin(πt/4)/(π²t²/4) at the 8 taps around <paramref name="x"/>, normalised to sum 1.</summary>
    internal static void Coefficients(float x, float[] coefficients)
    {
        const double S45 = 0.70710678118654752440084436210485;
        ReadOnlySpan<double> cs = [1, 0, -S45, -S45, 0, 1, S45, -S45, -1, 0, S45, S45, 0, -1, -S45, S45];
        var y0 = -(x + 3) * Math.PI * 0.25;
        var (s0, c0) = (Math.Sin(y0), Math.Cos(y0));
        var sum = 0f;
        for (var i = 0; i < 8; i++)
        {
            var t = x + 3 - i;
            if (Math.Abs(t) >= 1e-6f)
            {
                var y = -t * Math.PI * 0.25;
                coefficients[i] = (float)((cs[2 * i] * s0 + cs[2 * i + 1] * c0) / (y * y));
            }
            else coefficients[i] = 1e30f; // the tap sits on the sample: after normalising it alone weighs 1
            sum += coefficients[i];
        }
        sum = 1f / sum;
        for (var i = 0; i < 8; i++) coefficients[i] *= sum;
    }
}
