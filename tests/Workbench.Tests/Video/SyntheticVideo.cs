using Workbench.Video;

namespace Workbench.Tests.Video;

/// <summary>Small generated videos: a smooth, non-periodic texture that moves a known amount per frame, optionally cut to another shot.</summary>
internal static class SyntheticVideo
{
    /// <summary>The texture's brightness at scene point (x, y), in [30, 225]; <paramref name="scene"/> 1 is another shot (other texture, darker).</summary>
    public static double Texture(double x, double y, int scene = 0)
    {
        var v = scene == 0
            ? Math.Sin(x / 5.3) * Math.Cos(y / 7.1) + 0.6 * Math.Sin((x + 2 * y) / 9.7) + 0.4 * Math.Cos((3 * x - y) / 6.1)
            : Math.Cos(x / 3.9 + y / 4.4) + 0.7 * Math.Sin((x - 2 * y) / 8.3);
        return scene == 0 ? 128 + 48 * v : 70 + 30 * v;
    }

    /// <summary>Gray frame t of a texture moving by (dx, dy) pixels per frame.</summary>
    public static byte[] Gray(int width, int height, int t, double dx = 2, double dy = 1, int scene = 0)
    {
        var frame = new byte[width * height];
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                frame[y * width + x] = (byte)Math.Round(Texture(x - t * dx, y - t * dy, scene));
        return frame;
    }

    /// <summary>BGR frame t: the moving texture, tinted differently in each channel.</summary>
    public static byte[] Bgr(int width, int height, int t, double dx = 2, double dy = 1, int scene = 0)
    {
        var gray = Gray(width, height, t, dx, dy, scene);
        var frame = new byte[gray.Length * 3];
        for (var i = 0; i < gray.Length; i++)
        {
            frame[3 * i] = (byte)Math.Clamp(gray[i] * 0.7, 0, 255);
            frame[3 * i + 1] = gray[i];
            frame[3 * i + 2] = (byte)Math.Clamp(gray[i] * 1.1 + 10, 0, 255);
        }
        return frame;
    }

    /// <summary>Writes <paramref name="frames"/> moving frames (a cut to the second shot at <paramref name="cutAt"/>, if given).</summary>
    public static string Write(string path, int frames, int width = 64, int height = 48, double fps = 12.5, int? cutAt = null)
    {
        using var writer = new VideoWriter(path, fps, width, height);
        for (var t = 0; t < frames; t++) writer.Write(Bgr(width, height, t, scene: t >= cutAt ? 1 : 0));
        return path;
    }

    /// <summary>Reads every frame; the count and the first frame.</summary>
    public static (long Count, byte[] First) ReadAll(string path)
    {
        using var reader = new VideoReader(path);
        var frame = new byte[reader.FrameBytes];
        byte[]? first = null;
        long count = 0;
        while (reader.Read(frame))
        {
            first ??= (byte[])frame.Clone();
            count++;
        }
        return (count, first ?? []);
    }
}

/// <summary>A processor that passes frames through (the pipeline's own behaviour, without a model).</summary>
internal sealed class CopyFrames(int failAt = -1) : IFrameProcessor
{
    private long index;

    public IReadOnlyList<long> Cuts => [];

    public (int Width, int Height) OutputSize(int width, int height) => (width, height);

    public void Process(ReadOnlySpan<byte> bgr, int width, int height, Span<byte> output)
    {
        if (index++ == failAt) throw new InvalidOperationException("the processor failed");
        bgr.CopyTo(output);
    }
}
