using System.Runtime.InteropServices;

namespace Workbench.Data.Imaging;

// Twin of src/Workbench.Imaging.Native/image_resize.cpp and filter.cpp.
internal static partial class ImagingNative
{
    internal const int InterArea = 3;     // cv::INTER_AREA
    internal const int InterLanczos4 = 4; // cv::INTER_LANCZOS4

    [DllImport(Lib)]
    internal static extern int wbi_resize(IntPtr src, IntPtr dst, long planes, int srcHeight, int srcWidth, int channels, int depth, int dstHeight, int dstWidth, int interpolation);

    [DllImport(Lib)] internal static extern unsafe int wbi_filter2d(IntPtr src, IntPtr dst, long planes, int height, int width, float* kernel, int kernelHeight, int kernelWidth);
}
