namespace Workbench.Video;

/// <summary>What a video's container says about its picture stream.</summary>
/// <param name="FrameCount">As the container reports it (exact for AVI, an estimate from the duration for some others); -1 when unknown.</param>
public sealed record VideoInfo(int Width, int Height, double Fps, long FrameCount)
{
    public TimeSpan? Duration => FrameCount > 0 && Fps > 0 ? TimeSpan.FromSeconds(FrameCount / Fps) : null;
}

/// <summary>
/// Decodes a video one frame at a time into a caller's buffer (BGR bytes, as OpenCV gives them), so memory does not grow
/// with the video's length. A stream that ends well before the frame count its container announced is reported as
/// truncated or corrupt, naming the file and the frame.
/// </summary>
public sealed class VideoReader : IDisposable
{
    private IntPtr handle;

    public VideoReader(string path)
    {
        Path = path;
        if (!File.Exists(path)) throw new FileNotFoundException($"video '{path}' does not exist", path);
        handle = VideoNative.Check(VideoNative.wbv_reader_open(path, out var width, out var height, out var fps, out var count), $"'{path}'");
        // Some streams (raw, some webcams) carry no rate; 25 keeps the output playable.
        Info = new VideoInfo(width, height, fps > 0 && double.IsFinite(fps) ? fps : 25.0, count);
    }

    public string Path { get; }
    public VideoInfo Info { get; }

    /// <summary>Index of the frame the next <see cref="Read"/> returns.</summary>
    public long Position { get; private set; }

    /// <summary>Bytes of one frame: height · width · 3.</summary>
    public int FrameBytes => Info.Width * Info.Height * 3;

    /// <summary>Moves forward to frame <paramref name="index"/> (a seek where the container allows one, else decoding and dropping frames).</summary>
    public void SkipTo(long index)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(index, Position);
        VideoNative.Check(VideoNative.wbv_reader_seek(Live(), index), $"'{Path}': seeking to frame {index}");
        Position = index;
    }

    /// <summary>
    /// Decodes the next frame into <paramref name="bgr"/> (<see cref="FrameBytes"/> bytes); false at the end of the stream.
    /// Throws a <see cref="VideoException"/> naming the file and frame when decoding fails or the stream stops short.
    /// </summary>
    public unsafe bool Read(Span<byte> bgr)
    {
        if (bgr.Length < FrameBytes) throw new ArgumentException($"a frame of {Info.Width}x{Info.Height} needs {FrameBytes} bytes, the buffer has {bgr.Length}", nameof(bgr));
        int status;
        fixed (byte* p = bgr) status = VideoNative.wbv_reader_read(Live(), p);
        VideoNative.Check(status, $"'{Path}': frame {Position}");
        if (status == 0)
        {
            if (EndsEarly(Position, Info.FrameCount))
                throw new VideoException($"'{Path}': the stream ends at frame {Position} of the {Info.FrameCount} its container announces (truncated or corrupt)");
            return false;
        }
        Position++;
        return true;
    }

    /// <summary>
    /// True when a stream stopping at <paramref name="position"/> is short of what was announced by more than the
    /// rounding of containers that estimate their count from the duration (a frame or two, or 1%).
    /// </summary>
    internal static bool EndsEarly(long position, long announced) =>
        announced > 0 && position < announced - Math.Max(2, announced / 100);

    private IntPtr Live() => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(VideoReader));

    public void Dispose()
    {
        if (handle == IntPtr.Zero) return;
        VideoNative.wbv_reader_close(handle);
        handle = IntPtr.Zero;
    }
}
