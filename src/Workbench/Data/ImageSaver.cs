using System.Globalization;

using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Writes numbered images, <see cref="FilesPerFolder"/> per folder (the seed notes' ImageSaver:
/// <c>12/12678.png</c>), so a dataset of 400,000 crops never puts them all in one directory.
/// Numbering is thread-safe (parallel writers each get distinct numbers) and resumable: a new saver
/// over an existing folder continues after the highest number already there. Every file appears
/// complete or not at all (written to a hidden temporary file, then renamed), so a reader never sees
/// half a PNG; temporary files left by a killed run are removed when a saver opens the folder.
/// One saver (or one process) per folder at a time.
/// </summary>
public sealed class ImageSaver
{
    private long next;

    /// <param name="root">The output folder; created if missing.</param>
    /// <param name="filesPerFolder">Numbers per subfolder: folder = number / filesPerFolder.</param>
    /// <param name="extension">File extension, which picks the format (see <see cref="ImageIO.Write"/>).</param>
    public ImageSaver(string root, int filesPerFolder = 1000, string extension = ".png")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filesPerFolder, 1);
        Root = Path.GetFullPath(root);
        FilesPerFolder = filesPerFolder;
        Extension = extension.StartsWith('.') ? extension : "." + extension;
        Format = ImageIO.FormatFromExtension(Extension);
        Directory.CreateDirectory(Root);
        next = ScanNextFree(Root, Extension);
    }

    public string Root { get; }

    public int FilesPerFolder { get; }

    public string Extension { get; }

    public ImageFormat Format { get; }

    /// <summary>The number the next <see cref="Save(Tensor)"/> or <see cref="Reserve"/> hands out.</summary>
    public long NextNumber => Interlocked.Read(ref next);

    /// <summary>Reserves <paramref name="count"/> consecutive numbers and returns the first (thread-safe).</summary>
    public long Reserve(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 0);
        return Interlocked.Add(ref next, count) - count;
    }

    /// <summary>Where number <paramref name="number"/> goes: <c>Root/(number / FilesPerFolder)/number.ext</c>.</summary>
    public string PathFor(long number)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var folder = (number / FilesPerFolder).ToString(CultureInfo.InvariantCulture);
        return Path.Combine(Root, folder, number.ToString(CultureInfo.InvariantCulture) + Extension);
    }

    /// <summary>Saves a CHW image (float in [0, 1], or uint8) under the next number; returns the path.</summary>
    public string Save(Tensor image) => Save(Reserve(), image);

    /// <summary>Saves a CHW image under a number obtained from <see cref="Reserve"/>.</summary>
    public string Save(long number, Tensor image) => SaveEncoded(number, ImageIO.Encode(image, Format));

    /// <summary>Saves already encoded file bytes (in this saver's format) under a reserved number.</summary>
    public string SaveEncoded(long number, ReadOnlySpan<byte> encoded)
    {
        var path = PathFor(number);
        var folder = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(folder);
        WriteAtomically(path, encoded);
        return path;
    }

    /// <summary>The numbered files under <paramref name="root"/> (in numbered folders, with this extension), sorted by number.</summary>
    public static IReadOnlyList<(long Number, string Path)> Enumerate(string root, string extension = ".png")
    {
        var found = new List<(long, string)>();
        if (!Directory.Exists(root)) return found;
        foreach (var folder in Directory.EnumerateDirectories(root))
        {
            if (!IsNumber(Path.GetFileName(folder), out _)) continue;
            foreach (var file in Directory.EnumerateFiles(folder, "*" + extension))
                if (IsNumber(Path.GetFileNameWithoutExtension(file), out var number)) found.Add((number, file));
        }
        found.Sort((a, b) => a.Item1.CompareTo(b.Item1));
        return found;
    }

    /// <summary>
    /// One past the highest numbered file, looking in the highest numbered folders first (a folder may
    /// be empty after a crash, so it falls back to lower ones). Deletes stale temporary files on the way.
    /// </summary>
    private static long ScanNextFree(string root, string extension)
    {
        var folders = new List<(long Number, string Path)>();
        foreach (var folder in Directory.EnumerateDirectories(root))
            if (IsNumber(Path.GetFileName(folder), out var n)) folders.Add((n, folder));
        folders.Sort((a, b) => b.Number.CompareTo(a.Number));
        var highest = -1L;
        foreach (var (_, folder) in folders)
        {
            foreach (var file in Directory.EnumerateFiles(folder))
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal))
                {
                    File.Delete(file); // a write interrupted between create and rename
                    continue;
                }
                if (name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && IsNumber(Path.GetFileNameWithoutExtension(name), out var number))
                    highest = Math.Max(highest, number);
            }
            if (highest >= 0) break; // lower folders hold lower numbers
        }
        return highest + 1;
    }

    private static bool IsNumber(string text, out long number) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out number) && text.Length > 0 && (text == "0" || text[0] != '0');

    private static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1))
                stream.Write(bytes);
            // rename(2): atomic within one file system, so a killed process never leaves a torn file. No fsync per
            // crop (it would cost more than the encoding): durability against a power cut is not promised.
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }
}
