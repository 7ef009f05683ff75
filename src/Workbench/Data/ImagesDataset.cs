namespace Workbench.Data;

/// <summary>
/// The image files under one or more folders (the seed notes' ImagesDataset.from_dirs_recursive):
/// found recursively, filtered by extension, deduplicated, sorted, and optionally shuffled once
/// with a seed so a prepared dataset of neighbouring crops is mixed reproducibly.
/// Items are file paths; decode with <c>.Select(path => ImageIO.Read(path))</c>.
/// </summary>
public sealed class ImagesDataset : IDataset<string>
{
    public static readonly IReadOnlySet<string> DefaultExtensions =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff" };

    public ImagesDataset(IReadOnlyList<string> files) => Files = files;

    public IReadOnlyList<string> Files { get; }

    public int Count => Files.Count;

    public string Get(int index, Random random) => Files[index];

    public static ImagesDataset FromDirsRecursive(IEnumerable<string> roots, int? shuffleSeed = null, IEnumerable<string>? extensions = null)
    {
        var allowed = extensions is null ? DefaultExtensions : new HashSet<string>(extensions.Select(e => e.StartsWith('.') ? e : "." + e), StringComparer.OrdinalIgnoreCase);
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in roots)
        {
            if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder '{root}' does not exist");
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.Hidden };
            foreach (var file in Directory.EnumerateFiles(root, "*", options))
                if (allowed.Contains(Path.GetExtension(file))) found.Add(Path.GetFullPath(file));
        }
        var files = found.ToList();
        files.Sort(StringComparer.Ordinal);
        if (shuffleSeed is { } seed) new Random(seed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(files));
        return new ImagesDataset(files);
    }
}
