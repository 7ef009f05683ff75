using Workbench.Torch;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Data.Degradations;

/// <summary>The resampling kernels a <see cref="Downscale"/> can pick from.</summary>
public enum ResizeKernel
{
    /// <summary>Exact area averaging (OpenCV INTER_AREA): every source pixel weighed by how much of it a target pixel covers.</summary>
    Area,

    /// <summary>Antialiased bicubic (a = -0.5), as Pillow's BICUBIC and F.interpolate(antialias=True): the careful downscale.</summary>
    BicubicAntialias,

    /// <summary>Plain bilinear without antialiasing (cv2.INTER_LINEAR, F.interpolate's default): aliasing included, as in many real pipelines.</summary>
    Bilinear,

    /// <summary>Nearest neighbour (pixel-centre correct, "nearest-exact"): jaggies.</summary>
    Nearest,
}

/// <summary>Resizes a CHW float image with one of the <see cref="ResizeKernel"/>s (the shim's image resampling ops).</summary>
public static class Resize
{
    public static Tensor Apply(Tensor chw, long height, long width, ResizeKernel kernel)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (chw.size(1) == height && chw.size(2) == width) return chw.clone();
        using var scope = torch.NewDisposeScope();
        var x = chw.unsqueeze(0);
        var y = kernel switch
        {
            ResizeKernel.Area => new Tensor(wb_image_resize_area(x.Handle, height, width)),
            ResizeKernel.BicubicAntialias => new Tensor(wb_image_upsample_bicubic2d(x.Handle, height, width, 0, Shrinks(x, height, width) ? 1 : 0)),
            ResizeKernel.Bilinear => new Tensor(wb_image_upsample_bilinear2d(x.Handle, height, width, 0, 0)),
            ResizeKernel.Nearest => new Tensor(wb_image_upsample_nearest_exact2d(x.Handle, height, width)),
            _ => throw new ArgumentOutOfRangeException(nameof(kernel), kernel, "unknown resize kernel"),
        };
        return y.squeeze(0).MoveToOuterDisposeScope();
    }

    // The antialiased kernel widens its support only when shrinking; when enlarging it equals plain bicubic
    // with a = -0.5, and the plain op (a = -0.75) is the usual choice for upscaling.
    private static bool Shrinks(Tensor x, long height, long width) => height < x.size(2) || width < x.size(3);
}
