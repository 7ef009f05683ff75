using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Workbench.Kernel.Packages;

/// <summary>
/// Finds packages' native libraries (runtimes/RID/native/*.so) for DllImport. The process started without
/// them on its search path, so every load context (Roslyn loads package assemblies into contexts of its own)
/// asks this map when the usual probing fails: "foo", "libfoo" and "libfoo.so" all find libfoo.so.
/// </summary>
public sealed class NativeLibraryMap
{
    private readonly Dictionary<string, string> paths = new(StringComparer.Ordinal);
    private readonly HashSet<AssemblyLoadContext> hooked = new();
    private readonly object gate = new();
    private bool installed;

    public void Add(string path)
    {
        var file = Path.GetFileName(path);
        lock (gate)
        {
            foreach (var key in Keys(file)) paths.TryAdd(key, path);
            if (installed) return;
            installed = true;
        }
        AppDomain.CurrentDomain.AssemblyLoad += (_, e) => Hook(AssemblyLoadContext.GetLoadContext(e.LoadedAssembly));
        foreach (var context in AssemblyLoadContext.All) Hook(context);
    }

    /// <summary>The library a DllImport name means, or null.</summary>
    public string? Find(string name)
    {
        lock (gate) return paths.TryGetValue(name, out var path) ? path : null;
    }

    private void Hook(AssemblyLoadContext? context)
    {
        if (context is null) return;
        lock (gate)
            if (!hooked.Add(context)) return;
        context.ResolvingUnmanagedDll += Resolve;
    }

    private IntPtr Resolve(Assembly assembly, string name) =>
        Find(name) is { } path && NativeLibrary.TryLoad(path, out var handle) ? handle : IntPtr.Zero;

    // libfoo.so.1.2 → libfoo.so.1.2, libfoo.so, libfoo, foo
    private static IEnumerable<string> Keys(string file)
    {
        yield return file;
        var so = file.IndexOf(".so", StringComparison.Ordinal);
        var stem = so > 0 ? file[..so] : Path.GetFileNameWithoutExtension(file);
        yield return stem + ".so";
        yield return stem;
        if (stem.StartsWith("lib", StringComparison.Ordinal) && stem.Length > 3) yield return stem[3..];
    }
}
