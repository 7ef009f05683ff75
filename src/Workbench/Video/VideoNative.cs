using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Workbench.Video;

/// <summary>
/// The C ABI of libworkbench_video (src/Workbench.Video.Native: OpenCV videoio and optical flow, no libtorch), and its
/// error state turned into exceptions in one place.
/// </summary>
internal static class VideoNative
{
    private const string Lib = "workbench_video";

    /// <summary>Runs when the assembly loads, before any P/Invoke can bind: the library is found beside the assembly
    /// or in build/video/ of the checkout (<see cref="Data.NativeLibraryLocator"/>).</summary>
#pragma warning disable CA2255 // a library must hook its loader before its first P/Invoke; there is no app to do it
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterLoader() => Data.NativeLibraryLocator.AddCheckoutFallback(Lib, "video");

    [DllImport(Lib)] private static extern IntPtr wbv_last_error();

    [DllImport(Lib, CharSet = CharSet.Ansi, BestFitMapping = false)]
    internal static extern IntPtr wbv_reader_open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, out int width, out int height, out double fps, out long frameCount);
    [DllImport(Lib)] internal static extern int wbv_reader_seek(IntPtr reader, long index);
    [DllImport(Lib)] internal static extern unsafe int wbv_reader_read(IntPtr reader, byte* bgr);
    [DllImport(Lib)] internal static extern void wbv_reader_close(IntPtr reader);

    [DllImport(Lib, CharSet = CharSet.Ansi, BestFitMapping = false)]
    internal static extern IntPtr wbv_writer_open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, [MarshalAs(UnmanagedType.LPUTF8Str)] string fourcc, double fps, int width, int height);
    [DllImport(Lib)] internal static extern unsafe int wbv_writer_write(IntPtr writer, byte* bgr);
    [DllImport(Lib)] internal static extern void wbv_writer_close(IntPtr writer);

    [DllImport(Lib)] internal static extern unsafe int wbv_flow(byte* from, byte* to, int width, int height, int method, float* flow);
    [DllImport(Lib)] internal static extern unsafe int wbv_warp(float* src, int channels, int width, int height, float* flow, float* output);
    [DllImport(Lib)] internal static extern unsafe double wbv_flow_consistency(float* back, float* forward, int width, int height, float* confidence);
    [DllImport(Lib)] internal static extern unsafe int wbv_resize(float* src, int channels, int width, int height, float* output, int outWidth, int outHeight, float multiply);

    internal static IntPtr Check(IntPtr handle, string context)
    {
        if (handle == IntPtr.Zero) Throw(context);
        return handle;
    }

    internal static void Check(int status, string context)
    {
        if (status < 0) Throw(context);
    }

    internal static double Check(double value, string context)
    {
        if (value < 0) Throw(context);
        return value;
    }

    [DoesNotReturn]
    private static void Throw(string context)
    {
        var error = wbv_last_error();
        throw new VideoException($"{context}: {(error == IntPtr.Zero ? "native call failed without a message" : Marshal.PtrToStringUTF8(error))}");
    }
}
