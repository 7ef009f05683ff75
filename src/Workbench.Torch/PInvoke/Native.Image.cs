using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/image_io.cpp and image_resize.cpp; used by Workbench.Data.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern unsafe IntPtr wb_image_decode(byte* data, long size);
    [DllImport(Lib)] internal static extern IntPtr wb_image_to_chw_float(TensorHandle hwc, double scale);
    [DllImport(Lib)] internal static extern IntPtr wb_image_from_chw_float(TensorHandle chw, double maxValue, int dtype);
    [DllImport(Lib)] internal static extern IntPtr wb_image_encode(TensorHandle hwc, [MarshalAs(UnmanagedType.LPUTF8Str)] string ext, int[] parameters, int count);

    [DllImport(Lib)] internal static extern IntPtr wb_image_upsample_nearest_exact2d(TensorHandle x, long h, long w);
    [DllImport(Lib)] internal static extern IntPtr wb_image_upsample_bilinear2d(TensorHandle x, long h, long w, int alignCorners, int antialias);
    [DllImport(Lib)] internal static extern IntPtr wb_image_upsample_bicubic2d(TensorHandle x, long h, long w, int alignCorners, int antialias);
    [DllImport(Lib)] internal static extern IntPtr wb_image_resize_area(TensorHandle x, long h, long w);
}
