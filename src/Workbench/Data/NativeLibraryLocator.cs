using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Workbench.Data;

/// <summary>
/// Where Workbench's OpenCV libraries (imaging, video) are found when the runtime's own search (beside the assembly,
/// where the build copies them) fails: <c>build/FOLDER/</c> of the checkout the process runs from, for a notebook or
/// tool that loads another project's bin/. A ResolvingUnmanagedDll handler, not SetDllImportResolver: an assembly
/// takes one resolver only, and each library adds its own fallback.
/// </summary>
internal static class NativeLibraryLocator
{
    /// <summary>Adds the fallback for <c>lib<paramref name="name"/>.so</c> in <c>build/<paramref name="buildFolder"/>/</c>.</summary>
    public static void AddCheckoutFallback(string name, string buildFolder) =>
        AssemblyLoadContext.Default.ResolvingUnmanagedDll += (assembly, requested) =>
            requested == name && assembly == typeof(NativeLibraryLocator).Assembly ? FindInCheckout($"lib{name}.so", buildFolder) : IntPtr.Zero;

    private static IntPtr FindInCheckout(string file, string buildFolder)
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var built = Path.Combine(folder.FullName, "build", buildFolder, file);
            if (File.Exists(built)) return NativeLibrary.Load(built);
        }
        return IntPtr.Zero;
    }
}
