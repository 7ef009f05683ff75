using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Workbench.Kernel.Packages;

/// <summary>What one batch of <c>#r "nuget:"</c> lines added.</summary>
/// <param name="Installed">The requested packages as resolved (name, version), in request order.</param>
/// <param name="NewReferences">Assemblies the compiler should reference from now on (absolute paths; the kernel's own copy where it has one).</param>
/// <param name="Notes">Aliases taken and the kernel's own assemblies reused instead of a package's copy.</param>
public sealed record PackageLoad(IReadOnlyList<(string Name, string Version)> Installed, IReadOnlyList<string> NewReferences, IReadOnlyList<string> Notes);

/// <summary>
/// The packages of a kernel session, with .NET Interactive's rules: all requests of the session are restored
/// together (so their dependencies agree); a package asked for again with the same or no version is already
/// there; one asked for with another version than the one loaded is an error (an assembly cannot be unloaded).
/// An assembly the kernel already has (its own dependencies, the framework) is reused, never loaded twice.
/// </summary>
public sealed class PackageManager
{
    private readonly RestoreProject restore;
    private readonly List<PackageRequest> requested = new();
    private readonly List<string> sources = new();
    private readonly Dictionary<string, string> loadedVersions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> assemblyPaths = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> nativeSeen = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, string> kernelAssemblies;
    private readonly NativeLibraryMap native = new();
    private bool resolvingInstalled;

    public PackageManager(RestoreProject? restore = null, IReadOnlyDictionary<string, string>? kernelAssemblies = null)
    {
        this.restore = restore ?? new RestoreProject(RestoreProject.DefaultCacheRoot, RuntimeInformation.RuntimeIdentifier);
        this.kernelAssemblies = kernelAssemblies ?? KernelAssemblies();
    }

    public IReadOnlyList<string> Sources => sources;

    public NativeLibraryMap Native => native;

    /// <summary>An extra restore source (<c>#i "nuget: ..."</c>) for this and later restores.</summary>
    public void AddSource(string source)
    {
        if (!sources.Contains(source, StringComparer.Ordinal)) sources.Add(source);
    }

    /// <summary>True when restoring these requests would not run restore (already loaded, or in the cache).</summary>
    public bool IsCached(IReadOnlyList<PackageRequest> requests)
    {
        var pending = Pending(requests.Select(r => PackageAliases.Resolve(r).Request).ToList());
        return pending.Count == 0 || restore.IsCached(requested.Concat(pending).ToList(), sources);
    }

    /// <summary>Restores <paramref name="requests"/> with the session's earlier ones and says what to reference.</summary>
    public PackageLoad Add(IReadOnlyList<PackageRequest> requests)
    {
        var notes = new List<string>();
        var wanted = new List<PackageRequest>();
        foreach (var original in requests)
        {
            var (request, note) = PackageAliases.Resolve(original);
            if (note is not null) notes.Add(note);
            wanted.Add(request);
        }
        var pending = Pending(wanted);
        var all = requested.Concat(pending).ToList();
        var resolved = all.Count == 0 ? Array.Empty<ResolvedPackage>() : restore.Restore(all, sources);
        requested.AddRange(pending);

        var references = new List<string>();
        foreach (var package in resolved)
        {
            loadedVersions.TryAdd(package.Name, package.Version);
            foreach (var path in package.Assemblies)
            {
                var name = Path.GetFileNameWithoutExtension(path);
                if (kernelAssemblies.TryGetValue(name, out var own))
                {
                    // Compiled against the copy the process already runs, so that its types are the kernel's types.
                    if (!assemblyPaths.TryAdd(name, own)) continue;
                    references.Add(own);
                    if (IsUserRequest(package.Name, wanted)) notes.Add($"{package.Name} {package.Version}: the kernel's own {name} ({VersionOf(own)}) is used");
                    continue;
                }
                if (assemblyPaths.TryAdd(name, path)) references.Add(path);
            }
            foreach (var lib in package.NativeLibraries)
                if (nativeSeen.Add(lib)) native.Add(lib);
        }
        if (references.Count > 0) InstallResolving();
        var installed = wanted.Select(r => (r.Name, loadedVersions.TryGetValue(r.Name, out var v) ? v : r.VersionOrLatest)).Distinct().ToList();
        return new PackageLoad(installed, references, notes);
    }

    /// <summary>Requests not already covered; throws for a version that differs from the one loaded.</summary>
    private List<PackageRequest> Pending(IReadOnlyList<PackageRequest> wanted)
    {
        var pending = new List<PackageRequest>();
        foreach (var request in wanted)
        {
            var earlier = requested.Concat(pending).FirstOrDefault(r => string.Equals(r.Name, request.Name, StringComparison.OrdinalIgnoreCase));
            if (earlier is null)
            {
                pending.Add(request);
                continue;
            }
            if (request.Version is null || request.Version == earlier.Version) continue;
            var loaded = loadedVersions.TryGetValue(request.Name, out var v) ? v : earlier.VersionOrLatest;
            throw new PackageRestoreException($"{request.Name} version {request.Version} cannot be added because version {loaded} was added previously (restart the kernel to change it)", Array.Empty<string>());
        }
        return pending;
    }

    private static bool IsUserRequest(string name, IReadOnlyList<PackageRequest> wanted) =>
        wanted.Any(r => string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The version a package stamps on its assembly file (informational, else file version): 6.0.0, 13.0.4 ...</summary>
    private static string VersionOf(string path)
    {
        var info = System.Diagnostics.FileVersionInfo.GetVersionInfo(path);
        var version = info.ProductVersion is { Length: > 0 } product ? product.Split('+')[0] : info.FileVersion;
        return string.IsNullOrEmpty(version) ? "version unknown" : version;
    }

    // Roslyn loads the assemblies a cell references; their own dependencies that no cell references come here.
    private void InstallResolving()
    {
        if (resolvingInstalled) return;
        resolvingInstalled = true;
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name is { } simple && assemblyPaths.TryGetValue(simple, out var path) && !kernelAssemblies.ContainsKey(simple)
                ? context.LoadFromAssemblyPath(path)
                : null;
    }

    /// <summary>Simple name → path of every assembly the kernel process can load without help (framework and its own).</summary>
    private static Dictionary<string, string> KernelAssemblies()
    {
        var map = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var path in tpa) map.TryAdd(Path.GetFileNameWithoutExtension(path), path);
        foreach (var assembly in AppDomain.CurrentDomain.GetAssemblies())
            if (!assembly.IsDynamic && assembly.Location.Length > 0 && assembly.GetName().Name is { } name) map.TryAdd(name, assembly.Location);
        return map;
    }
}
