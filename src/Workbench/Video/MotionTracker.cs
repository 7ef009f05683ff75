namespace Workbench.Video;

/// <summary>
/// How frame t relates to frame t-1: the flow back to t-1 (height·width (dx, dy) pairs), its per-pixel confidence from
/// the forward–backward check, the share of pixels that pass it, and whether t starts a new shot (then nothing should
/// be carried over from t-1; the first frame starts one too).
/// </summary>
public sealed record FrameMotion(int Width, int Height, float[] Back, float[] Confidence, double Reliable, bool IsCut)
{
    /// <summary>The same motion on a grid of another size (an upscaler's output): flow resized and scaled with it.</summary>
    public FrameMotion Resized(int width, int height)
    {
        if ((width, height) == (Width, Height)) return this;
        var back = OpticalFlow.Resize(Back, 2, Width, Height, width, height, (float)width / Width);
        var confidence = OpticalFlow.Resize(Confidence, 1, Width, Height, width, height);
        return this with { Width = width, Height = height, Back = back, Confidence = confidence };
    }
}

/// <summary>Fed the gray frames of a video in order, gives each one's <see cref="FrameMotion"/>; holds only the previous frame.</summary>
public sealed class MotionTracker(int width, int height, FlowMethod method = FlowMethod.Dis, SceneCutDetector? cuts = null)
{
    private readonly SceneCutDetector cuts = cuts ?? new SceneCutDetector();
    private byte[]? previous;

    public int Width => width;
    public int Height => height;

    /// <summary>Index of the frames that started a shot, the first included.</summary>
    public List<long> Cuts { get; } = [];

    private long index;

    public FrameMotion Next(ReadOnlySpan<byte> gray)
    {
        if (gray.Length != width * height) throw new ArgumentException($"a {width}x{height} gray frame has {width * height} bytes, got {gray.Length}", nameof(gray));
        FrameMotion motion;
        if (previous is null)
        {
            motion = new FrameMotion(width, height, new float[width * height * 2], new float[width * height], 0, IsCut: true);
            previous = new byte[width * height];
        }
        else
        {
            var back = OpticalFlow.Compute(gray, previous, width, height, method);
            var forward = OpticalFlow.Compute(previous, gray, width, height, method);
            var confidence = new float[width * height];
            var reliable = OpticalFlow.Consistency(back, forward, width, height, confidence);
            motion = new FrameMotion(width, height, back, confidence, reliable, cuts.IsCut(previous, gray, reliable));
        }
        if (motion.IsCut) Cuts.Add(index);
        gray.CopyTo(previous);
        index++;
        return motion;
    }
}
