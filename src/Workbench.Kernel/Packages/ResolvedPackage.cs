namespace Workbench.Kernel.Packages;

/// <summary>A package as restore resolved it, with the files this process would load from it (absolute paths).</summary>
public sealed record ResolvedPackage(string Name, string Version, IReadOnlyList<string> Assemblies, IReadOnlyList<string> NativeLibraries);
