using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>OpenCV's cv::resize on tensors: exact area averaging of float images, and 8-bit HWC resizing.</summary>
internal static class PixelResize
{
    /// <summary>
    /// cv::resize(INTER_AREA) of every HxW plane of an NCHW float32/float64 tensor. Downscaling weighs each source
    /// pixel by the fraction of it a target pixel covers (exact box filtering, unlike adaptive_avg_pool2d's overlapping
    /// integer windows at non-integer ratios). Runs on the CPU; the result returns to x's device.
    /// </summary>
    public static unsafe Tensor Area(Tensor x, long height, long width)
    {
        if (x.dim() != 4) throw new ArgumentException($"expected an NCHW tensor, got {x.dim()} dimensions", nameof(x));
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {height}x{width}");
        var (depth, elementSize) = x.dtype switch
        {
            ScalarType.Float32 => (DepthF32, sizeof(float)),
            ScalarType.Float64 => (DepthF64, sizeof(double)),
            var other => throw new ArgumentException($"area resize expects float32 or float64, got {other.TorchName()}", nameof(x)),
        };
        var (n, c, sh, sw) = (x.size(0), x.size(1), x.size(2), x.size(3));
        using var src = depth == DepthF32 ? PixelMemory.CopyOf<float>(x) : PixelMemory.CopyOf<double>(x);
        using var dst = new PixelMemory(n * c * height * width * elementSize);
        Check(wbi_resize(src.Pointer, dst.Pointer, n * c, checked((int)sh), checked((int)sw), 1, depth, checked((int)height), checked((int)width), InterArea));
        long[] shape = [n, c, height, width];
        var resized = depth == DepthF32 ? dst.ToTensor<float>(shape) : dst.ToTensor<double>(shape);
        if (x.device == Device.CPU) return resized;
        using (resized) return resized.to(x.device);
    }

    /// <summary>cv::resize of (H, W, C) uint8 samples, C in 1..4, to (height, width, C) with an OpenCV interpolation flag.</summary>
    public static unsafe Tensor Uint8(Tensor hwc, long height, long width, int interpolation)
    {
        if (hwc.dim() != 3 || hwc.dtype != ScalarType.UInt8) throw new ArgumentException("expected an (H, W, C) uint8 tensor", nameof(hwc));
        var channels = hwc.size(2);
        if (channels is < 1 or > 4) throw new ArgumentException($"expected 1 to 4 channels, got {channels}", nameof(hwc));
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"target size must be positive, got {height}x{width}");
        using var src = PixelMemory.CopyOf<byte>(hwc);
        using var dst = new PixelMemory(height * width * channels);
        Check(wbi_resize(src.Pointer, dst.Pointer, 1, checked((int)hwc.size(0)), checked((int)hwc.size(1)), (int)channels, DepthU8, checked((int)height), checked((int)width), interpolation));
        return dst.ToTensor<byte>([height, width, channels]);
    }
}
