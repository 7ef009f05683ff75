using System.Runtime.InteropServices;

namespace Workbench.Torch.Serialization;

/// <summary>
/// Replaces a file all at once: the bytes go to a temporary file in the same directory, which is
/// flushed to disk and then renamed over the target, and the directory entry is flushed too. A crash,
/// a kill -9 or a power cut mid-write leaves the old file (or no file) in place, never a torn one —
/// which matters for checkpoints written every 1000 iterations of a run that may be killed at any time.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes the target through <paramref name="write"/>; if it throws, the target is untouched.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        var target = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(target) ?? throw new ArgumentException($"'{path}' has no directory", nameof(path));
        // Same directory: rename(2) is atomic only within one file system.
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true); // fsync: the data is on disk before the name points at it
            }
            File.Move(temp, target, overwrite: true); // rename(2) on Unix, MoveFileEx(REPLACE_EXISTING) on Windows
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        SyncDirectory(directory); // makes the rename itself durable
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (IOException)
        {
            // best effort: a stale hidden .tmp is harmless, a masked original exception is not
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>fsync on the directory, so the new entry survives a power cut (no-op where unsupported).</summary>
    private static void SyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows()) return; // NTFS journals the rename; directories cannot be opened for flushing
        const int O_RDONLY = 0;
        var fd = open(directory, O_RDONLY);
        if (fd < 0) return; // some file systems refuse; the data itself is already flushed
        try
        {
            fsync(fd);
        }
        finally
        {
            close(fd);
        }
    }

    [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
    [DllImport("libc", SetLastError = true)] private static extern int fsync(int fd);
    [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
}
