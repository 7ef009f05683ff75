using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Workbench.Data.Imaging;

/// <summary>
/// Loads libworkbench_imaging.so (src/Workbench.Imaging.Native: OpenCV over raw pixel buffers, no libtorch) and
/// turns its error state into <see cref="ImagingException"/>, in one place. Each area's functions are in the
/// ImagingNative.&lt;Area&gt;.cs file beside this one, twin of the native file of the same area.
/// </summary>
internal static partial class ImagingNative
{
    internal const string Lib = "workbench_imaging";

    // OpenCV depths: the sample type of every pixel buffer the library takes or returns.
    internal const int DepthU8 = 0;
    internal const int DepthU16 = 2;
    internal const int DepthS32 = 4;
    internal const int DepthF32 = 5;
    internal const int DepthF64 = 6;

    /// <summary>Runs when the assembly loads, before any P/Invoke can bind: the library is found beside the assembly
    /// or in build/imaging/ of the checkout (<see cref="NativeLibraryLocator"/>).</summary>
#pragma warning disable CA2255 // a library must register its fallback before its first P/Invoke; there is no app to do it
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterFallback() => NativeLibraryLocator.AddCheckoutFallback(Lib, "imaging");

    [DllImport(Lib)] private static extern IntPtr wbi_last_error();
    [DllImport(Lib)] internal static extern void wbi_free(IntPtr p);

    internal static IntPtr Check(IntPtr handle)
    {
        if (handle == IntPtr.Zero) ThrowLastError();
        return handle;
    }

    internal static void Check(int status)
    {
        if (status != 0) ThrowLastError();
    }

    [DoesNotReturn]
    private static void ThrowLastError()
    {
        var error = wbi_last_error();
        throw new ImagingException(error == IntPtr.Zero ? "native call failed without a message" : Marshal.PtrToStringUTF8(error) ?? "native error");
    }
}
