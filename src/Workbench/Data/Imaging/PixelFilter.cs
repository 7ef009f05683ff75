using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>OpenCV's cv::filter2D on tensors, in place in their memory, for the blur degradations.</summary>
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
        using var scope = torch.NewDisposeScope();
        var src = x.detach().cpu().contiguous();
        var dst = torch.empty_like(src);
        var (h, w) = (src.size(-2), src.size(-1));
        var planes = h * w == 0 ? 0 : src.numel() / (h * w);
        if (planes > 0)
        {
            fixed (float* k = kernel)
                Check(wbi_filter2d(src.data_ptr(), dst.data_ptr(), planes, checked((int)h), checked((int)w), k, kernel.GetLength(0), kernel.GetLength(1)));
        }
        return dst.to(x.device).MoveToOuterDisposeScope();
    }
}
