using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

/// <summary>Loads the native shim and turns its error state into exceptions, in one place.</summary>
internal static partial class NativeMethods
{
    internal const string Lib = "workbench_native";

    /// <summary>Runs when the assembly loads, before any P/Invoke can bind.</summary>
#pragma warning disable CA2255 // a library must register its resolver before its first P/Invoke; there is no app to do it
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RegisterResolver() => NativeLibrary.SetDllImportResolver(typeof(NativeMethods).Assembly, Resolve);

    /// <summary>WORKBENCH_NATIVE_LIB points at a shim built elsewhere (e.g. against a CUDA libtorch).</summary>
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Lib) return IntPtr.Zero;
        var overridePath = Environment.GetEnvironmentVariable("WORKBENCH_NATIVE_LIB");
        if (!string.IsNullOrEmpty(overridePath)) return NativeLibrary.Load(overridePath);
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "libworkbench_native.so");
        if (File.Exists(besideAssembly)) return NativeLibrary.Load(besideAssembly);
        return IntPtr.Zero;
    }

    [DllImport(Lib)] private static extern IntPtr wb_last_error();
    [DllImport(Lib)] internal static extern void wb_free(IntPtr p);

    internal static IntPtr Check(IntPtr handle)
    {
        if (handle == IntPtr.Zero) ThrowLastError();
        return handle;
    }

    internal static void Check(int status)
    {
        if (status != 0) ThrowLastError();
    }

    /// <summary>For calls whose null result is legal (an absent .grad): throws only if an error is pending.</summary>
    internal static IntPtr CheckNullable(IntPtr handle)
    {
        if (handle == IntPtr.Zero)
        {
            var error = wb_last_error();
            if (error != IntPtr.Zero) throw new TorchException(Marshal.PtrToStringUTF8(error) ?? "native error");
        }
        return handle;
    }

    [DoesNotReturn]
    private static void ThrowLastError()
    {
        var error = wb_last_error();
        throw new TorchException(error == IntPtr.Zero ? "native call failed without a message" : Marshal.PtrToStringUTF8(error) ?? "native error");
    }

    /// <summary>Copies a malloc'd array of handles returned by the shim and frees it.</summary>
    internal static IntPtr[] TakeHandleList(IntPtr list, int count)
    {
        Check(list);
        var handles = new IntPtr[count];
        if (count > 0) Marshal.Copy(list, handles, 0, count);
        wb_free(list);
        return handles;
    }
}
