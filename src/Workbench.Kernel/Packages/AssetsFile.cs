using System.Text.Json.Nodes;

namespace Workbench.Kernel.Packages;

/// <summary>
/// Reads what a restore decided from its obj/project.assets.json: for every package in the runtime-specific
/// target, the runtime assemblies (NuGet already picked the lib/ folder nearest the target framework) and the
/// native libraries for the runtime identifier.
/// </summary>
public static class AssetsFile
{
    public static IReadOnlyList<ResolvedPackage> Read(string assetsPath, string targetFramework, string runtimeIdentifier)
    {
        var root = JsonNode.Parse(File.ReadAllText(assetsPath)) ?? throw new InvalidDataException($"{assetsPath} is empty");
        var folders = (root["packageFolders"] as JsonObject)?.Select(kv => kv.Key).ToList() ?? new List<string>();
        var libraries = root["libraries"] as JsonObject ?? new JsonObject();
        var target = root["targets"]?[$"{targetFramework}/{runtimeIdentifier}"] as JsonObject
            ?? throw new InvalidDataException($"{assetsPath} has no target {targetFramework}/{runtimeIdentifier}");
        var packages = new List<ResolvedPackage>();
        foreach (var (key, node) in target)
        {
            if ((string?)node?["type"] != "package") continue;
            var slash = key.IndexOf('/', StringComparison.Ordinal);
            var (name, version) = (key[..slash], key[(slash + 1)..]);
            var relative = (string?)libraries[key]?["path"] ?? $"{name.ToLowerInvariant()}/{version.ToLowerInvariant()}";
            var dir = folders.Select(f => Path.Combine(f, relative)).FirstOrDefault(Directory.Exists) ?? Path.Combine(folders.FirstOrDefault() ?? "", relative);
            packages.Add(new ResolvedPackage(name, version, Files(node!["runtime"], dir, ".dll"), Files(node["native"], dir, null)));
        }
        return packages;
    }

    // "_._" marks a folder that is deliberately empty for this framework (the API comes with the framework).
    private static List<string> Files(JsonNode? group, string packageDir, string? extension) =>
        (group as JsonObject)?.Select(kv => kv.Key)
            .Where(p => Path.GetFileName(p) != "_._" && (extension is null || p.EndsWith(extension, StringComparison.OrdinalIgnoreCase)))
            .Select(p => Path.GetFullPath(Path.Combine(packageDir, p)))
            .ToList() ?? new List<string>();
}
