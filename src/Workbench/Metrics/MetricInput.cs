using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>Shape checks and border cropping shared by the image metrics.</summary>
internal static class MetricInput
{
    /// <summary>The per-image reduction dims of a (N,) C, H, W tensor.</summary>
    internal static readonly long[] ImageDims = { -3, -2, -1 };

    internal static void CheckPair(Tensor prediction, Tensor target)
    {
        CheckImage(prediction, nameof(prediction));
        if (!prediction.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"prediction [{string.Join(", ", prediction.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape");
    }

    internal static void CheckImage(Tensor image, string name, bool rgb = false)
    {
        if (image.dim() is not (3 or 4) || (rgb && image.size(-3) != 3))
            throw new ArgumentException($"expected a (N,) {(rgb ? "3" : "C")}, H, W image, got shape [{string.Join(", ", image.shape)}]", name);
        if (!image.is_floating_point()) throw new ArgumentException($"expected a floating-point image, got {image.dtype}", name);
    }

    /// <summary>Drops <paramref name="crop"/> pixels on every side, as SR papers do with crop = scale.</summary>
    internal static Tensor CropBorder(Tensor image, int crop)
    {
        if (crop == 0) return image;
        var (h, w) = (image.size(-2), image.size(-1));
        if (crop < 0 || 2 * crop >= h || 2 * crop >= w) throw new ArgumentException($"cannot crop {crop} pixels from a {h}x{w} image", nameof(crop));
        return image.narrow(-2, crop, h - 2 * crop).narrow(-1, crop, w - 2 * crop);
    }

    /// <summary>The Y channel of YCbCr (16–235 scale), (N,) 1, H, W.</summary>
    internal static Tensor YChannel(Tensor rgb) => Data.ColorSpace.RgbToYCbCr(rgb).narrow(-3, 0, 1);
}
