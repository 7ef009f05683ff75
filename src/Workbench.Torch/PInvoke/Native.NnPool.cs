using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/nn_pool.cpp. A list count of -1 passes None.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_max_pool2d(TensorHandle input, long[] kernelSize, long[] stride, long[] padding, long[] dilation, int ceilMode);
    [DllImport(Lib)] internal static extern int wb_max_pool2d_with_indices(TensorHandle input, long[] kernelSize, long[] stride, long[] padding, long[] dilation, int ceilMode, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr wb_avg_pool2d(TensorHandle input, long[] kernelSize, long[] stride, long[] padding, int ceilMode, int countIncludePad, long divisorOverride);
    [DllImport(Lib)] internal static extern IntPtr wb_adaptive_avg_pool2d(TensorHandle input, long[] outputSize);
    [DllImport(Lib)] internal static extern int wb_adaptive_max_pool2d(TensorHandle input, long[] outputSize, out IntPtr values, out IntPtr indices);
    [DllImport(Lib)] internal static extern IntPtr wb_pixel_shuffle(TensorHandle input, long upscaleFactor);
    [DllImport(Lib)] internal static extern IntPtr wb_pixel_unshuffle(TensorHandle input, long downscaleFactor);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_nearest2d(TensorHandle input, long[]? size, int nSize, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_nearest_exact2d(TensorHandle input, long[]? size, int nSize, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_bilinear2d(TensorHandle input, long[]? size, int nSize, int alignCorners, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_bicubic2d(TensorHandle input, long[]? size, int nSize, int alignCorners, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_bilinear2d_aa(TensorHandle input, long[]? size, int nSize, int alignCorners, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_upsample_bicubic2d_aa(TensorHandle input, long[]? size, int nSize, int alignCorners, double[]? scales, int nScales);
    [DllImport(Lib)] internal static extern IntPtr wb_grid_sampler(TensorHandle input, TensorHandle grid, long interpolationMode, long paddingMode, int alignCorners);
    [DllImport(Lib)] internal static extern IntPtr wb_affine_grid_generator(TensorHandle theta, long[] size, int n, int alignCorners);
    [DllImport(Lib)] internal static extern IntPtr wb_pad(TensorHandle input, long[] pad, int n, string mode, int hasValue, double value);
}
