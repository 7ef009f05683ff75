using Workbench.Data;
using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Inference;

/// <summary>
/// How upstream runs DeOldify's published generators (jantic/DeOldify, <c>deoldify/filters.py</c> ColorizerFilter with
/// post_process, as <c>visualize.py</c> calls it): the RGB photo is stretched to a square of render_factor·16 pixels by
/// Pillow (BILINEAR; the aspect ratio is not kept), made gray by Pillow's <c>convert('LA').convert('RGB')</c>, normalized
/// by ImageNet's statistics, run, denormalized, and turned into bytes by <c>(out * 255).astype(uint8)</c>, which truncates
/// (and wraps values outside 0..255, as numpy's cast does on x86). That square is stretched back to the photo's size
/// (Pillow BILINEAR), and OpenCV's 8-bit RGB→YUV of both images gives the result the photo's own Y with the model's U
/// and V (then YUV→RGB). No padding, no strips: the network sees exactly the square. <see cref="Colorizer"/> takes this
/// path for the generators <see cref="DeOldifyGenerators"/> builds. The watermark <c>visualize.py</c> adds by default is
/// left out.
/// </summary>
public static class DeOldifyPipeline
{
    /// <summary>Pixels per render_factor step (upstream's <c>render_base</c>).</summary>
    public const int RenderBase = 16;

    /// <summary>True for the networks this pipeline runs: DeOldify's published layout.</summary>
    public static bool Runs(nn.Module model) => model is DynamicUnet { UpstreamFinalShuffle: true };

    /// <summary>
    /// Colorizes a CHW photo in [0, 1] (gray photos are tiled to RGB, as <c>convert('RGB')</c> does) with the network seeing
    /// <paramref name="side"/>×<paramref name="side"/> (render_factor·16); (3, H, W) in [0, 1], 8-bit levels, the photo's size.
    /// </summary>
    public static Tensor Colorize(nn.Module<Tensor, Tensor> net, Tensor image, int side, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var rgb = image.size(0) == 1 ? image.expand(3, -1, -1) : image;
        var (height, width) = ((int)rgb.size(1), (int)rgb.size(2));
        var raw = RenderLevels(net, rgb, side, device);                               // (3, side, side), bytes
        var original = Bytes(rgb);
        var color = PillowResample.Resize(raw, height, width, PillowResample.Filter.Bilinear); // (3, H, W), bytes
        var yuv = torch.cat([RgbToYuv(original).narrow(0, 0, 1), RgbToYuv(color).narrow(0, 1, 2)], 0); // the photo's Y, the model's U, V
        return (YuvToRgb(yuv) / 255).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>The model's square image before post-processing: (3, side, side) in [0, 1], upstream's bytes.</summary>
    public static Tensor Render(nn.Module<Tensor, Tensor> net, Tensor image, int side, Device? device = null)
    {
        using var scope = torch.NewDisposeScope();
        var rgb = image.size(0) == 1 ? image.expand(3, -1, -1) : image;
        return (RenderLevels(net, rgb, side, device) / 255).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>filters.py's _model_process: float64 byte levels (3, side, side).</summary>
    private static Tensor RenderLevels(nn.Module<Tensor, Tensor> net, Tensor rgb, int side, Device? device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 32, nameof(side));
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var small = PillowResample.Resize(Bytes(rgb), side, side, PillowResample.Filter.Bilinear); // (3, side, side), bytes
        var gray = PillowLuminance(small).expand(3, -1, -1);                          // convert('LA').convert('RGB')
        var x = (gray / 255).to(ScalarType.Float32).unsqueeze(0);                     // pil2tensor(...).div_(255)
        var y = net.call(x.to(device ?? Device.CPU)).cpu().squeeze(0);               // denormalized pixels, float32
        var bytes = (y * 255).to(ScalarType.Float64).trunc();                         // float32 product, cast toward zero
        return (bytes - (bytes / 256).floor() * 256).MoveToOuterDisposeScope();       // uint8 wraps: −1 → 255, 256 → 0
    }

    /// <summary>The photo as the bytes Pillow holds (float64 levels).</summary>
    private static Tensor Bytes(Tensor rgb) => (rgb.to(ScalarType.Float64) * 255).round_().clamp_(0, 255);

    /// <summary>Pillow's RGB → L: (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16 on bytes; (1, H, W).</summary>
    private static Tensor PillowLuminance(Tensor levels) =>
        ((levels[0] * 19595 + levels[1] * 38470 + levels[2] * 7471 + 32768) / 65536).floor().unsqueeze(0);

    // OpenCV's 8-bit COLOR_RGB2YUV / COLOR_YUV2RGB: coefficients in 14-bit fixed point, results rounded ((x + 2¹³) >> 14)
    // and saturated to bytes. Y = .299 R + .587 G + .114 B, U = .492 (B − Y) + 128, V = .877 (R − Y) + 128.
    private static Tensor Descale(Tensor x) => ((x + 8192) / 16384).floor();

    private static Tensor RgbToYuv(Tensor levels)
    {
        var (r, g, b) = (levels[0], levels[1], levels[2]);
        var y = Descale(r * 4899 + g * 9617 + b * 1868);
        var u = Descale((b - y) * 8061 + 128 * 16384);
        var v = Descale((r - y) * 14369 + 128 * 16384);
        return torch.stack([y, u, v], 0).clamp(0, 255);
    }

    private static Tensor YuvToRgb(Tensor yuv)
    {
        var (y, u, v) = (yuv[0], yuv[1] - 128, yuv[2] - 128);
        var b = y + Descale(u * 33292);
        var g = y + Descale(v * -9519 + u * -6472);
        var r = y + Descale(v * 18678);
        return torch.stack([r, g, b], 0).clamp(0, 255);
    }
}
