using Workbench.Data;
using Workbench.Models.Colorization;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Inference;

/// <summary>
/// How upstream runs Zhang et al.'s published colorizers (richzhang/colorization, <c>demo_release.py</c> with
/// <c>colorizers/util.py</c>): the RGB photo is resized to 256×256 by Pillow (bicubic; the aspect ratio is not kept),
/// the network colorizes that square's L (skimage's rgb2lab), its ab is resized to the photo's size (F.interpolate,
/// bilinear) and joined with the photo's own L at full resolution, and skimage's lab2rgb makes RGB. <see cref="Colorizer"/>
/// takes this path for <see cref="Eccv16Colorizer"/> and <see cref="Siggraph17Colorizer"/> instead of its own.
/// </summary>
public static class ZhangDemoPipeline
{
    /// <summary>The side of the square the network sees (upstream's <c>HW=(256, 256)</c>; Colorizer's default render size).</summary>
    public const int Side = 256;

    /// <summary>True for the networks this pipeline runs (L in, ab out).</summary>
    public static bool Runs(nn.Module model) => model is Eccv16Colorizer or Siggraph17Colorizer;

    /// <summary>
    /// Colorizes a CHW photo in [0, 1] (gray photos are tiled to RGB, as upstream's load_img does) with
    /// <paramref name="net"/> seeing <paramref name="side"/>×<paramref name="side"/>; (3, H, W) RGB in [0, 1], the photo's size.
    /// </summary>
    public static Tensor Colorize(nn.Module<Tensor, Tensor> net, Tensor image, int side = Side, Device? device = null)
    {
        if (net is Siggraph17Colorizer && side % Siggraph17Colorizer.Stride != 0)
            throw new ArgumentException($"the siggraph17 colorizer sees a {side}x{side} square (the render size): it must be a multiple of {Siggraph17Colorizer.Stride}");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var rgb = image.size(0) == 1 ? image.expand(3, -1, -1) : image;
        var (height, width) = (rgb.size(1), rgb.size(2));
        var small = PillowLevels(rgb, side, side) / 255;                               // (3, side, side), float64
        var ab = net.call(Lightness(small).to(device ?? Device.CPU)).cpu();           // (1, 2, side, side)
        if (ab.size(2) != height || ab.size(3) != width)
            ab = F.interpolate(ab, size: new nn.Size2(height, width), mode: "bilinear", align_corners: false); // (1, 2, H, W)
        var lab = torch.cat([Lightness(rgb), ab], 1);                                  // (1, 3, H, W): the photo's own L
        return ColorSpace.LabToRgb(lab).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>What the network makes of the photo at its own square size: (3, side, side), the resized photo colorized.</summary>
    public static Tensor Render(nn.Module<Tensor, Tensor> net, Tensor image, int side = Side, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var small = ResizeAsPillow(image.size(0) == 1 ? image.expand(3, -1, -1) : image, side, side);
        return Colorize(net, small, side, device).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pillow's <c>Image.resize(size, BICUBIC)</c> of an 8-bit RGB photo, as upstream's resize_img calls it: an
    /// antialiased Keys cubic (a = −0.5), first horizontally, then vertically, each pass rounded to 8-bit levels
    /// (Pillow keeps the intermediate image in uint8); a pass whose size does not change is skipped, as Pillow skips it.
    /// Pillow's 22-bit fixed-point weights can round a value the other way: rarely, one level apart. CHW in [0, 1];
    /// the result holds 8-bit levels in the input's dtype. The full-size pass runs in that dtype (float32: a photo's
    /// worth of memory, not twice that), the second in float64.
    /// </summary>
    public static Tensor ResizeAsPillow(Tensor rgb, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        return (PillowLevels(rgb, height, width) / 255).to(rgb.dtype).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="ResizeAsPillow"/>'s result as Pillow's bytes: float64 levels 0..255.</summary>
    private static Tensor PillowLevels(Tensor rgb, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var x = Levels(rgb * 255);                                                     // the uint8 photo Pillow holds
        if (x.size(2) != width) x = Levels(ImageResize.Resize(x, (int)x.size(1), width, InterpolationMode.Bicubic, antialias: true));
        x = x.to(ScalarType.Float64);
        if (x.size(1) != height) x = Levels(ImageResize.Resize(x, height, width, InterpolationMode.Bicubic, antialias: true));
        return x.MoveToOuterDisposeScope();
    }

    /// <summary>Rounded to 8-bit levels and clipped, on the 0..255 scale (Pillow's clip8), in place.</summary>
    private static Tensor Levels(Tensor x) => x.round_().clamp_(0, 255);

    /// <summary>skimage's rgb2lab L of a CHW photo as float32 (1, 1, H, W), as upstream's torch.Tensor(L). Upstream computes
    /// it in float64: the network's square is converted so here too; the full-size photo keeps its dtype (L within ~1e-4).</summary>
    private static Tensor Lightness(Tensor rgb) => ColorSpace.RgbToLab(rgb).narrow(0, 0, 1).unsqueeze(0).to(ScalarType.Float32);
}
