using Workbench.Torch;

namespace Workbench.Data.Imaging;

/// <summary>Conversions between integer HWC samples (as files store them) and CHW float images in [0, 1].</summary>
internal static class HwcSamples
{
    /// <summary>
    /// HWC (uint8, int32 or float, any strides) -> contiguous CHW float32 on the same device, multiplied by
    /// <paramref name="scale"/> (1/255 for 8-bit, 1/65535 for 16-bit): one strided copy plus one in-place multiply.
    /// </summary>
    public static Tensor ToChwFloat(Tensor hwc, double scale)
    {
        if (hwc.dim() != 3) throw new ArgumentException($"expected a HWC tensor, got {hwc.dim()} dimensions", nameof(hwc));
        var chw = torch.empty([hwc.size(2), hwc.size(0), hwc.size(1)], ScalarType.Float32, hwc.device);
        using (var permuted = hwc.permute(2, 0, 1)) chw.copy_(permuted);
        return scale != 1.0 ? chw.mul_(scale) : chw;
    }

    /// <summary>
    /// CHW float in [0, 1] -> contiguous HWC CPU samples: clamp, scale by <paramref name="maxValue"/> (255 or 65535),
    /// round half to even, and store as <paramref name="dtype"/> (uint8, or int32 for 16-bit samples).
    /// </summary>
    public static Tensor FromChwFloat(Tensor chw, double maxValue, ScalarType dtype)
    {
        if (chw.dim() != 3) throw new ArgumentException($"expected a CHW tensor, got {chw.dim()} dimensions", nameof(chw));
        using var scope = torch.NewDisposeScope();
        var scaled = chw.detach().to(Device.CPU, ScalarType.Float32).clamp(0.0, 1.0).mul_(maxValue).round_();
        var hwc = torch.empty([chw.size(1), chw.size(2), chw.size(0)], dtype);
        hwc.copy_(scaled.permute(1, 2, 0));
        return hwc.MoveToOuterDisposeScope();
    }
}
