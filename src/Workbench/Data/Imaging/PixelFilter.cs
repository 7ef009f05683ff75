using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>OpenCV's cv::filter2D on tensors, for the blur degradations.</summary>
internal static class PixelFilter
{
    /// <summary>
    /// Filters every HxW plane of a float32 tensor (..., H, W) with a 2-D kernel, as cv::filter2D does: correlation (the
    /// kernel is not flipped), anchor at the kernel centre, borders mirrored without repeating the edge pixel
    /// (BORDER_REFLECT_101, as PyTorch's "reflect" padding). Runs on the CPU; the result returns to x's device.
    /// </summary>
    public static unsafe Tensor Filter2d(Tensor x, float[,] kernel)
    {
        if (x.dim() < 2) throw new ArgumentException($"expected a tensor of at least 2 dimensions (..., H, W), got {x.dim()}", nameof(x));
        if (x.dtype != ScalarType.Float32) throw new ArgumentException($"filter2d expects float32 images, got {x.dtype.TorchName()}", nameof(x));
        var (h, w) = (x.size(-2), x.size(-1));
        var planes = h * w == 0 ? 0 : x.numel() / (h * w);
        using var src = PixelMemory.CopyOf<float>(x);
        using var dst = new PixelMemory(src.Length);
        if (planes > 0)
        {
            fixed (float* k = kernel)
                Check(wbi_filter2d((float*)src.Pointer, (float*)dst.Pointer, planes, checked((int)h), checked((int)w), k, kernel.GetLength(0), kernel.GetLength(1)));
        }
        var filtered = dst.ToTensor<float>(x.shape);
        if (x.device == Device.CPU) return filtered;
        using (filtered) return filtered.to(x.device);
    }
}
