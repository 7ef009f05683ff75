using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Color conversions of (N,) 3, H, W float images, RGB in [0, 1], with the constants of
/// skimage.color. Pure tensor ops, so losses can differentiate through them (branches of the
/// piecewise curves are clamped first, so the unused branch never produces NaN gradients).
/// </summary>
public static class ColorSpace
{
    // skimage.color's matrices (rows give the output channels).
    private static readonly double[,] YuvFromRgb =
    {
        { 0.299, 0.587, 0.114 },
        { -0.14714119, -0.28886916, 0.43601035 },
        { 0.61497538, -0.51496512, -0.10001026 },
    };

    private static readonly double[,] YCbCrFromRgb =
    {
        { 65.481, 128.553, 24.966 },
        { -37.797, -74.203, 112.0 },
        { 112.0, -93.786, -18.214 },
    };

    private static readonly double[] YCbCrOffset = { 16, 128, 128 };

    // sRGB primaries, D65 white → CIE XYZ.
    private static readonly double[,] XyzFromRgb =
    {
        { 0.412453, 0.357580, 0.180423 },
        { 0.212671, 0.715160, 0.072169 },
        { 0.019334, 0.119193, 0.950227 },
    };

    /// <summary>The D65 white point, 2° observer (skimage's default illuminant).</summary>
    private static readonly double[] D65 = { 0.95047, 1.0, 1.08883 };

    private static readonly double[,] RgbFromYuv = Inverse(YuvFromRgb);
    private static readonly double[,] RgbFromYCbCr = Inverse(YCbCrFromRgb);
    private static readonly double[,] RgbFromXyz = Inverse(XyzFromRgb);

    /// <summary>BT.601 YUV (skimage.color.rgb2yuv): Y in [0, 1], U in ±0.436, V in ±0.615, centred on 0.</summary>
    public static Tensor RgbToYuv(Tensor rgb) => Scoped(() => Mix(YuvFromRgb, Check(rgb)));

    public static Tensor YuvToRgb(Tensor yuv) => Scoped(() => Mix(RgbFromYuv, Check(yuv)));

    /// <summary>
    /// BT.601 studio-swing YCbCr as MATLAB's rgb2ycbcr and skimage.color.rgb2ycbcr: Y = 16 + 65.481 R +
    /// 128.553 G + 24.966 B in [16, 235], Cb and Cr in [16, 240], on a 0–255 scale. Its Y is the channel
    /// super-resolution papers report PSNR/SSIM on.
    /// </summary>
    public static Tensor RgbToYCbCr(Tensor rgb) => Scoped(() => Mix(YCbCrFromRgb, Check(rgb)) + Column(YCbCrOffset, rgb));

    public static Tensor YCbCrToRgb(Tensor ycbcr) => Scoped(() => Mix(RgbFromYCbCr, Check(ycbcr) - Column(YCbCrOffset, ycbcr)));

    /// <summary>BT.601 luma 0.299 R + 0.587 G + 0.114 B in [0, 1], shape (N,) 1, H, W (Y of YUV; PIL's "L").</summary>
    public static Tensor Luma(Tensor rgb) => Scoped(() =>
    {
        var (r, g, b) = Channels(Check(rgb));
        return (r * 0.299 + g * 0.587 + b * 0.114).unsqueeze(-3);
    });

    /// <summary>CIE L*a*b* (D65, 2°) from sRGB, as skimage.color.rgb2lab: L in [0, 100], a and b roughly ±100.</summary>
    public static Tensor RgbToLab(Tensor rgb) => Scoped(() =>
    {
        var x = Check(rgb);
        // sRGB transfer curve → linear light.
        var linear = torch.where(x > 0.04045, ((x.clamp(min: 0.04045) + 0.055) / 1.055).pow(2.4), x / 12.92);
        var xyz = Mix(XyzFromRgb, linear) / Column(D65, x);
        var f = torch.where(xyz > 0.008856, xyz.clamp(min: 0.008856).pow(1.0 / 3), xyz * 7.787 + 16.0 / 116);
        var (fx, fy, fz) = Channels(f);
        return torch.stack(new[] { fy * 116 - 16, (fx - fy) * 500, (fy - fz) * 200 }, -3);
    });

    /// <summary>sRGB from CIE L*a*b* (D65, 2°), as skimage.color.lab2rgb: negative Z is set to 0 and RGB is clipped to [0, 1].</summary>
    public static Tensor LabToRgb(Tensor lab) => Scoped(() =>
    {
        var (l, a, b) = Channels(Check(lab));
        var fy = (l + 16) / 116;
        var f = torch.stack(new[] { a / 500 + fy, fy, (fy - b / 200).clamp(min: 0) }, -3);
        var xyz = torch.where(f > 0.2068966, f.pow(3), (f - 16.0 / 116) / 7.787) * Column(D65, lab);
        var linear = Mix(RgbFromXyz, xyz);
        var rgb = torch.where(linear > 0.0031308, linear.clamp(min: 0.0031308).pow(1 / 2.4) * 1.055 - 0.055, linear * 12.92);
        return rgb.clamp(0, 1);
    });

    // ---- helpers ---------------------------------------------------------------------------

    private static Tensor Check(Tensor image)
    {
        if (image.dim() is not (3 or 4) || image.size(-3) != 3)
            throw new ArgumentException($"expected a (N,) 3, H, W image, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        if (!image.is_floating_point()) throw new ArgumentException($"expected a floating-point image, got {image.dtype}", nameof(image));
        return image;
    }

    /// <summary>Runs <paramref name="body"/> in a dispose scope and hands its result to the caller's scope.</summary>
    private static Tensor Scoped(Func<Tensor> body)
    {
        using var scope = torch.NewDisposeScope();
        return body().MoveToOuterDisposeScope();
    }

    private static (Tensor, Tensor, Tensor) Channels(Tensor image)
    {
        var c = image.unbind(-3);
        return (c[0], c[1], c[2]);
    }

    /// <summary>Applies a 3×3 matrix to the channel dimension: out[i] = Σ_j m[i, j] · image[j].</summary>
    private static Tensor Mix(double[,] m, Tensor image)
    {
        var matrix = torch.tensor(m, image.dtype, image.device);
        return torch.einsum("ij,...jhw->...ihw", matrix, image);
    }

    /// <summary>A per-channel constant shaped (3, 1, 1), broadcasting over (N,) 3, H, W.</summary>
    private static Tensor Column(double[] values, Tensor like) => torch.tensor(values, new long[] { 3, 1, 1 }, like.dtype, like.device);

    /// <summary>The inverse of a 3×3 matrix (the RGB ↔ XYZ matrices; the ONNX export builds Lab → RGB from it too).</summary>
    internal static double[,] Inverse(double[,] m)
    {
        double Cofactor(int r, int c)
        {
            int r0 = (r + 1) % 3, r1 = (r + 2) % 3, c0 = (c + 1) % 3, c1 = (c + 2) % 3;
            return m[r0, c0] * m[r1, c1] - m[r0, c1] * m[r1, c0];
        }
        var det = m[0, 0] * Cofactor(0, 0) + m[0, 1] * Cofactor(0, 1) + m[0, 2] * Cofactor(0, 2);
        var inverse = new double[3, 3];
        for (var r = 0; r < 3; r++)
            for (var c = 0; c < 3; c++)
                inverse[r, c] = Cofactor(c, r) / det;  // adjugate (transposed cofactors) over the determinant
        return inverse;
    }
}
