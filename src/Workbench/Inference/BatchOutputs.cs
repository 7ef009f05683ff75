namespace Workbench.Inference;

/// <summary>One input of a folder run and the file it will be written to.</summary>
/// <param name="KeepsSourceExtension">True when the name keeps the input's extension (<c>gray.jpg → gray.jpg.png</c>) because another input of the same stem would get the same name.</param>
public sealed record PlannedOutput(string Input, string Output, bool KeepsSourceExtension);

/// <summary>
/// Where each input of a folder run (colorize, upscale) is written, decided before any work so nothing is lost:
/// outputs keep the relative path and stem of their input and take <c>extension</c> (or keep the input's own); when
/// two inputs would land on one name (<c>gray.jpg</c> and <c>gray.png</c> both → <c>gray.png</c>), every input of that
/// group keeps its extension in the name (<c>gray.jpg.png</c>, <c>gray.png.png</c>). <see cref="Problems"/> lists what
/// must stop the run: the output folder being the input folder, an output that would replace an input, a name still
/// shared, and (unless overwriting) outputs that already exist.
/// </summary>
public sealed class BatchOutputs
{
    private BatchOutputs(string inputDir, string outputDir, IReadOnlyList<PlannedOutput> items)
    {
        InputDir = inputDir;
        OutputDir = outputDir;
        Items = items;
    }

    public string InputDir { get; }
    public string OutputDir { get; }
    public IReadOnlyList<PlannedOutput> Items { get; }

    /// <summary>The inputs whose output name keeps the source extension.</summary>
    public IReadOnlyList<PlannedOutput> Renamed => Items.Where(i => i.KeepsSourceExtension).ToList();

    /// <param name="inputDir">The folder the inputs were found under.</param>
    /// <param name="files">The inputs (under <paramref name="inputDir"/>).</param>
    /// <param name="outputDir">The output folder.</param>
    /// <param name="extension">The outputs' extension (".png"), or null to keep each input's.</param>
    public static BatchOutputs Plan(string inputDir, IReadOnlyList<string> files, string outputDir, string? extension)
    {
        string Target(string file, bool keep)
        {
            var relative = Path.GetRelativePath(inputDir, file);
            if (extension is null) return Path.Combine(outputDir, relative);
            return Path.Combine(outputDir, keep ? relative + extension : Path.ChangeExtension(relative, extension));
        }
        // Case-insensitive: on a case-insensitive file system "A.png" and "a.png" are one file.
        var clashing = files.GroupBy(f => Path.GetFullPath(Target(f, false)), StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1).SelectMany(g => g).ToHashSet(StringComparer.Ordinal);
        var items = files.Select(f => new PlannedOutput(f, Target(f, clashing.Contains(f)), clashing.Contains(f))).ToList();
        return new BatchOutputs(inputDir, outputDir, items);
    }

    /// <summary>Why the run must not start (empty when it may): one line each, at most a few examples per kind.</summary>
    public IReadOnlyList<string> Problems(bool overwrite)
    {
        var problems = new List<string>();
        if (SamePath(InputDir, OutputDir))
        {
            problems.Add($"the output folder is the input folder ('{OutputDir}'); write to another folder");
            return problems;
        }
        var inputs = Items.Select(i => Path.GetFullPath(i.Input)).ToHashSet(StringComparer.Ordinal);
        var replacing = Items.Where(i => inputs.Contains(Path.GetFullPath(i.Output))).Select(i => i.Output).ToList();
        if (replacing.Count > 0) problems.Add($"{replacing.Count} output(s) would replace an input: {Examples(replacing)}; write to another folder");
        var shared = Items.GroupBy(i => Path.GetFullPath(i.Output), StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)
            .Select(g => string.Join(" and ", g.Select(i => i.Input))).ToList();
        if (shared.Count > 0) problems.Add($"{shared.Count} output name(s) would still be shared: {Examples(shared)}; rename one of each");
        var existing = Items.Where(i => File.Exists(i.Output)).Select(i => i.Output).ToList();
        if (!overwrite && existing.Count > 0) problems.Add($"{existing.Count} output file(s) already exist: {Examples(existing)}; pass --overwrite to replace them");
        return problems;
    }

    /// <summary>True when two paths name the same file or folder (full paths, symbolic links followed).</summary>
    public static bool SamePath(string a, string b) => string.Equals(Resolve(a), Resolve(b), StringComparison.Ordinal);

    private static string Resolve(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        FileSystemInfo info = Directory.Exists(full) ? new DirectoryInfo(full) : new FileInfo(full);
        var target = info.Exists ? info.ResolveLinkTarget(returnFinalTarget: true) : null;
        return target is null ? full : Path.TrimEndingDirectorySeparator(Path.GetFullPath(target.FullName));
    }

    private static string Examples(IReadOnlyList<string> items) =>
        string.Join(", ", items.Take(3).Select(i => $"'{i}'")) + (items.Count > 3 ? $" and {items.Count - 3} more" : "");
}
