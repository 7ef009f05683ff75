using System.Runtime.InteropServices;

namespace Workbench.Data.Imaging;

// Twin of src/Workbench.Imaging.Native/image_codec.cpp.
internal static partial class ImagingNative
{
    [DllImport(Lib)] internal static extern unsafe IntPtr wbi_image_decode(byte* data, long size);
    [DllImport(Lib)] internal static extern void wbi_image_info(IntPtr image, out int height, out int width, out int channels, out int depth);
    [DllImport(Lib)] internal static extern int wbi_image_read(IntPtr image, IntPtr destination, long bytes, int depth);
    [DllImport(Lib)] internal static extern void wbi_image_free(IntPtr image);

    [DllImport(Lib)]
    internal static extern int wbi_image_encode(IntPtr pixels, int height, int width, int channels, int depth,
        [MarshalAs(UnmanagedType.LPUTF8Str)] string ext, int[] parameters, int count, out IntPtr bytes, out long size);
}
