using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>OpenCV's cv::resize on tensors, in place in their memory: exact area averaging of float images, and 8-bit HWC resizing.</summary>
internal static class PixelResize
{
    /// <summary>
    /// cv::resize(INTER_AREA) of every HxW plane of an NCHW float32/float64 tensor. Downscaling weighs each source
    /// pixel by the fraction of it a target pixel covers (exact box filtering, unlike adaptive_avg_pool2d's overlapping
    /// integer windows at non-integer ratios). Runs on the CPU; the result returns to x's device.
    /// </summary>
    public static Tensor Area(Tensor x, long height, long width)
    {
        if (x.dim() != 4) throw new ArgumentException($"expected an NCHW tensor, got {x.dim()} dimensions", nameof(x));
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {height}x{width}");
        var depth = x.dtype switch
        {
            ScalarType.Float32 => DepthF32,
            ScalarType.Float64 => DepthF64,
            var other => throw new ArgumentException($"area resize expects float32 or float64, got {other.TorchName()}", nameof(x)),
        };
        using var scope = torch.NewDisposeScope();
        var src = x.detach().cpu().contiguous();
        var (n, c) = (src.size(0), src.size(1));
        var dst = torch.empty([n, c, height, width], src.dtype);
        Check(wbi_resize(src.data_ptr(), dst.data_ptr(), n * c, checked((int)src.size(2)), checked((int)src.size(3)), 1, depth, checked((int)height), checked((int)width), InterArea));
        return dst.to(x.device).MoveToOuterDisposeScope();
    }

    /// <summary>cv::resize of (H, W, C) uint8 samples, C in 1..4, to (height, width, C) with an OpenCV interpolation flag.</summary>
    public static Tensor Uint8(Tensor hwc, long height, long width, int interpolation)
    {
        if (hwc.dim() != 3 || hwc.dtype != ScalarType.UInt8) throw new ArgumentException("expected an (H, W, C) uint8 tensor", nameof(hwc));
        var channels = hwc.size(2);
        if (channels is < 1 or > 4) throw new ArgumentException($"expected 1 to 4 channels, got {channels}", nameof(hwc));
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {height}x{width}");
        using var scope = torch.NewDisposeScope();
        var src = hwc.detach().cpu().contiguous();
        var dst = torch.empty([height, width, channels], ScalarType.UInt8);
        Check(wbi_resize(src.data_ptr(), dst.data_ptr(), 1, checked((int)src.size(0)), checked((int)src.size(1)), (int)channels, DepthU8, checked((int)height), checked((int)width), interpolation));
        return dst.MoveToOuterDisposeScope();
    }
}
