using System.Runtime.InteropServices;

namespace Workbench.Data.Imaging;

// Twin of src/Workbench.Imaging.Native/text.cpp.
internal static partial class ImagingNative
{
    [DllImport(Lib)] internal static extern int wbi_text_size([MarshalAs(UnmanagedType.LPUTF8Str)] string text, int font, double scale, int thickness, out int width, out int height, out int baseline);
    [DllImport(Lib)] internal static extern int wbi_text_mask(IntPtr dst, int height, int width, [MarshalAs(UnmanagedType.LPUTF8Str)] string text, int font, double scale, int thickness, int x, int y);
}
