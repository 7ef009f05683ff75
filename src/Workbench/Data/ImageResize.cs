using Workbench.Data.Imaging;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Data;

/// <summary>Resampling kernels, named as torchvision.transforms.InterpolationMode.</summary>
public enum InterpolationMode
{
    /// <summary>Nearest neighbour at pixel centres (F.interpolate's "nearest-exact", Pillow's NEAREST).</summary>
    Nearest,

    /// <summary>Triangle filter; with antialias its support widens with the scale factor (Pillow's BILINEAR).</summary>
    Bilinear,

    /// <summary>Keys cubic: a = -0.5 with antialias (Pillow, MATLAB), a = -0.75 without (OpenCV INTER_CUBIC, PyTorch's default).</summary>
    Bicubic,

    /// <summary>Exact area averaging (OpenCV INTER_AREA, Pillow's BOX): each source pixel weighs by the part of it a target pixel covers.</summary>
    Area,
}

/// <summary>
/// Resizing of CHW or NCHW float images. Downscaling without antialiasing aliases (fine detail turns into
/// moiré), and a network trained on one resampler learns its quirks, so the defaults follow Pillow:
/// antialiased bicubic. <c>linearLight</c> averages light instead of sRGB code values (a black/white
/// checkerboard shrinks to 50% light, not to sRGB 0.5, which is 21% light).
/// </summary>
public static class ImageResize
{
    /// <summary>Resizes to <paramref name="height"/> x <paramref name="width"/>, as F.interpolate(mode, antialias=antialias, align_corners=False).</summary>
    /// <param name="image">CHW or NCHW, floating point; values are not clamped (bicubic may overshoot [0, 1] a little).</param>
    /// <param name="antialias">Widen the Bilinear/Bicubic kernel when downscaling; ignored by Nearest and Area (always area-exact).</param>
    /// <param name="linearLight">Resample in linear light: sRGB decode, resize, sRGB encode (alpha, a 4th channel, stays as it is).</param>
    public static Tensor Resize(Tensor image, int height, int width, InterpolationMode mode = InterpolationMode.Bicubic, bool antialias = true, bool linearLight = false)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {height}x{width}");
        if (!image.is_floating_point()) throw new ArgumentException($"resize works on floating-point images, got {image.dtype.TorchName()}; convert with .to(torch.float32) first", nameof(image));
        using var scope = torch.NewDisposeScope();
        var (batch, wasChw) = AsBatch(image);
        var x = linearLight ? MapColor(batch, SrgbToLinear) : batch;
        var (h, w) = ((long)height, (long)width);
        var resized = mode switch
        {
            InterpolationMode.Nearest => F.interpolate(x, size: (h, w), mode: "nearest-exact"),
            InterpolationMode.Bilinear => F.interpolate(x, size: (h, w), mode: "bilinear", align_corners: false, antialias: antialias),
            InterpolationMode.Bicubic => F.interpolate(x, size: (h, w), mode: "bicubic", align_corners: false, antialias: antialias),
            InterpolationMode.Area => PixelResize.Area(x, h, w),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, null),
        };
        // Cubic overshoot can dip below 0, where the sRGB curve is undefined.
        if (linearLight) resized = MapColor(resized, c => LinearToSrgb(c.clamp(min: 0)));
        return (wasChw ? resized.squeeze(0) : resized).MoveToOuterDisposeScope();
    }

    /// <summary>Resizes so the shorter side becomes <paramref name="size"/>, keeping the aspect ratio (torchvision's resize(img, int)).</summary>
    public static Tensor ResizeShorterSide(Tensor image, int size, InterpolationMode mode = InterpolationMode.Bicubic, bool antialias = true, bool linearLight = false)
    {
        var (h, w) = (image.size(-2), image.size(-1));
        // torchvision truncates the longer side: int(size * long / short).
        var (height, width) = h <= w ? (size, (int)(size * w / h)) : ((int)(size * h / w), size);
        return Resize(image, height, width, mode, antialias, linearLight);
    }

    /// <summary>
    /// Halves the size exactly: each output pixel is the mean of a 2x2 block (F.avg_pool2d(x, 2)). An odd last
    /// row or column is dropped. The cleanest downscale for making super-resolution pairs at factor 2.
    /// </summary>
    public static Tensor Downscale2x(Tensor image, bool linearLight = false)
    {
        if (!image.is_floating_point()) throw new ArgumentException($"expected a floating-point image, got {image.dtype.TorchName()}", nameof(image));
        using var scope = torch.NewDisposeScope();
        var (batch, wasChw) = AsBatch(image);
        var x = linearLight ? MapColor(batch, SrgbToLinear) : batch;
        var (n, c, h, w) = (x.size(0), x.size(1), x.size(2) / 2, x.size(3) / 2);
        if (h == 0 || w == 0) throw new ArgumentException($"image of {x.size(2)}x{x.size(3)} is too small to halve", nameof(image));
        var blocks = x.narrow(2, 0, 2 * h).narrow(3, 0, 2 * w).reshape(n, c, h, 2, w, 2);
        var halved = blocks.mean([3, 5]);
        if (linearLight) halved = MapColor(halved, LinearToSrgb);
        return (wasChw ? halved.squeeze(0) : halved).MoveToOuterDisposeScope();
    }

    /// <summary>sRGB code values in [0, 1] to linear light (IEC 61966-2-1).</summary>
    public static Tensor SrgbToLinear(Tensor srgb)
    {
        using var scope = torch.NewDisposeScope();
        var low = srgb.div(12.92);
        var high = srgb.add(0.055).div(1.055).clamp(min: 0).pow(2.4);
        return high.where(srgb.gt(0.04045), low).MoveToOuterDisposeScope();
    }

    /// <summary>Linear light to sRGB code values (IEC 61966-2-1); negative input is not defined.</summary>
    public static Tensor LinearToSrgb(Tensor linear)
    {
        using var scope = torch.NewDisposeScope();
        var low = linear.mul(12.92);
        var high = linear.clamp(min: 0).pow(1 / 2.4).mul(1.055).sub(0.055);
        return high.where(linear.gt(0.0031308), low).MoveToOuterDisposeScope();
    }

    private static (Tensor Batch, bool WasChw) AsBatch(Tensor image) => image.dim() switch
    {
        3 => (image.unsqueeze(0), true),
        4 => (image, false),
        _ => throw new ArgumentException($"expected a CHW or NCHW image, got shape [{string.Join(", ", image.shape)}]", nameof(image)),
    };

    /// <summary>Applies <paramref name="f"/> to the colour channels of an NCHW batch, leaving a 4th (alpha) channel alone.</summary>
    private static Tensor MapColor(Tensor batch, Func<Tensor, Tensor> f) =>
        batch.size(1) == 4 ? torch.cat([f(batch.narrow(1, 0, 3)), batch.narrow(1, 3, 1)], 1) : f(batch);
}
