using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/degrade_*.cpp and dataprep_image.cpp; used by Workbench.Data (degradations, dataset preparation).
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_degrade_filter2d(TensorHandle x, TensorHandle kernel);

    [DllImport(Lib)] internal static extern IntPtr wb_degrade_randn(long[] shape, int ndim, ulong seed);
    [DllImport(Lib)] internal static extern IntPtr wb_degrade_poisson(TensorHandle rates, ulong seed);

    [DllImport(Lib)] internal static extern int wb_degrade_text_size([MarshalAs(UnmanagedType.LPUTF8Str)] string text, int font, double scale, int thickness, out int width, out int height, out int baseline);
    [DllImport(Lib)] internal static extern IntPtr wb_degrade_text_mask(long h, long w, [MarshalAs(UnmanagedType.LPUTF8Str)] string text, int font, double scale, int thickness, int x, int y);

    [DllImport(Lib)] internal static extern IntPtr wb_dataprep_resize_u8(TensorHandle hwc, long h, long w, int interpolation);
}
