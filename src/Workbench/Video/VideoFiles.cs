namespace Workbench.Video;

/// <summary>Which files the video commands treat as videos, and how their outputs are named.</summary>
public static class VideoFiles
{
    /// <summary>Containers taken as video input (OpenCV's FFmpeg backend opens these and more).</summary>
    public static readonly IReadOnlySet<string> Extensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        { ".mp4", ".m4v", ".mov", ".mkv", ".avi", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".ogv", ".3gp", ".ts" };

    public static bool IsVideo(string path) => Extensions.Contains(Path.GetExtension(path));

    /// <summary>Every video under <paramref name="folder"/>, recursively, sorted (hidden files and our own partial outputs left out).</summary>
    public static IReadOnlyList<string> FindIn(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => IsVideo(f) && !Path.GetFileName(f).StartsWith('.') && !IsPartial(f))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>The output of a video in a folder run: the same relative path, in a container we write (.mp4 where the source's is not).</summary>
    public static string OutputFor(string input, string inputFolder, string outputFolder)
    {
        var relative = Path.GetRelativePath(inputFolder, input);
        var writable = Path.GetExtension(input).ToLowerInvariant() is ".mp4" or ".m4v" or ".mov" or ".mkv" or ".avi";
        return Path.Combine(outputFolder, writable ? relative : Path.ChangeExtension(relative, ".mp4"));
    }

    /// <summary>Where a run writes before the result is complete: <c>clip.partial.mp4</c> beside <c>clip.mp4</c>; renamed into place on success.</summary>
    public static string PartialFor(string output, string tag = "partial") =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output))!, $"{Path.GetFileNameWithoutExtension(output)}.{tag}{Path.GetExtension(output)}");

    private static bool IsPartial(string path) => Path.GetFileNameWithoutExtension(path).EndsWith(".partial", StringComparison.Ordinal);
}
