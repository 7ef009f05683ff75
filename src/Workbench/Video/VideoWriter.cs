namespace Workbench.Video;

/// <summary>
/// Encodes BGR frames one at a time (OpenCV's FFmpeg backend). The codec follows the extension: MPEG-4 Part 2 (mp4v)
/// for .mp4/.mov/.mkv/.m4v, Motion JPEG for .avi, the two this Debian OpenCV writes without extra encoders.
/// Disposing finalises the container, so frames written before an error stay a playable file.
/// </summary>
public sealed class VideoWriter : IDisposable
{
    private IntPtr handle;

    public VideoWriter(string path, double fps, int width, int height)
    {
        Path = path;
        (Width, Height) = (width, height);
        var fourcc = FourccFor(path);
        handle = VideoNative.Check(VideoNative.wbv_writer_open(path, fourcc, fps, width, height), $"'{path}': {fourcc} at {width}x{height}, {fps:0.###} fps");
    }

    public string Path { get; }
    public int Width { get; }
    public int Height { get; }
    public long FramesWritten { get; private set; }

    /// <summary>The fourcc written for a file name, by its extension.</summary>
    public static string FourccFor(string path) => System.IO.Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".mp4" or ".m4v" or ".mov" or ".mkv" => "mp4v",
        ".avi" => "MJPG",
        var other => throw new ArgumentException($"'{path}': cannot write video as '{other}'; use .mp4, .m4v, .mov, .mkv or .avi"),
    };

    /// <summary>Encodes one frame: height · width · 3 bytes, BGR.</summary>
    public unsafe void Write(ReadOnlySpan<byte> bgr)
    {
        if (handle == IntPtr.Zero) throw new ObjectDisposedException(nameof(VideoWriter));
        if (bgr.Length != Width * Height * 3) throw new ArgumentException($"a {Width}x{Height} frame has {Width * Height * 3} bytes, got {bgr.Length}", nameof(bgr));
        fixed (byte* p = bgr) VideoNative.Check(VideoNative.wbv_writer_write(handle, p), $"'{Path}': frame {FramesWritten}");
        FramesWritten++;
    }

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        VideoNative.wbv_writer_close(handle);
        handle = IntPtr.Zero;
    }
}
