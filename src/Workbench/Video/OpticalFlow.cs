namespace Workbench.Video;

/// <summary>Which dense optical flow OpenCV computes.</summary>
public enum FlowMethod
{
    /// <summary>DIS (Kroeger et al. 2016), medium preset: the default, fast and good on real footage.</summary>
    Dis = 0,
    /// <summary>DIS, fast preset: about twice as fast, coarser.</summary>
    DisFast = 1,
    /// <summary>Farnebäck (2003) polynomial expansion: slower, smoother.</summary>
    Farneback = 2,
}

/// <summary>
/// Dense optical flow between gray frames, warping along it, and its forward–backward check, on raw buffers: a flow
/// is height·width (dx, dy) float pairs, row-major; images are height·width·channels floats, channels interleaved.
/// </summary>
public static class OpticalFlow
{
    /// <summary>The flow from <paramref name="from"/> to <paramref name="to"/> (gray, height·width bytes): where each pixel of <c>from</c> lies in <c>to</c>.</summary>
    public static unsafe float[] Compute(ReadOnlySpan<byte> from, ReadOnlySpan<byte> to, int width, int height, FlowMethod method = FlowMethod.Dis)
    {
        CheckLength(from.Length, width * height, "from");
        CheckLength(to.Length, width * height, "to");
        var flow = new float[width * height * 2];
        fixed (byte* a = from)
        fixed (byte* b = to)
        fixed (float* f = flow)
            VideoNative.Check(VideoNative.wbv_flow(a, b, width, height, (int)method, f), $"optical flow ({method}, {width}x{height})");
        return flow;
    }

    /// <summary>output(x) = source(x + flow(x)), bilinear, borders replicated: with the flow from frame t to t-1, frame t-1 brought onto frame t.</summary>
    public static unsafe void Warp(ReadOnlySpan<float> source, int channels, int width, int height, ReadOnlySpan<float> flow, Span<float> output)
    {
        CheckLength(source.Length, width * height * channels, "source");
        CheckLength(flow.Length, width * height * 2, "flow");
        CheckLength(output.Length, width * height * channels, "output");
        fixed (float* s = source)
        fixed (float* f = flow)
        fixed (float* o = output)
            VideoNative.Check(VideoNative.wbv_warp(s, channels, width, height, f, o), "warp");
    }

    /// <summary>
    /// How well the flow pair holds at each pixel of frame t (<paramref name="back"/>: t → t-1, <paramref name="forward"/>:
    /// t-1 → t), the forward–backward check of Sundaram et al. 2010 that Lai et al. 2018 use for their occlusion mask:
    /// <paramref name="confidence"/> gets exp(-miss/tolerance), 1 where the round trip returns exactly, at most e^-1 where
    /// the check fails, 0 where the pixel comes from outside the frame. Returns the share of pixels that pass.
    /// </summary>
    public static unsafe double Consistency(ReadOnlySpan<float> back, ReadOnlySpan<float> forward, int width, int height, Span<float> confidence)
    {
        CheckLength(back.Length, width * height * 2, "back");
        CheckLength(forward.Length, width * height * 2, "forward");
        CheckLength(confidence.Length, width * height, "confidence");
        fixed (float* b = back)
        fixed (float* f = forward)
        fixed (float* c = confidence)
            return VideoNative.Check(VideoNative.wbv_flow_consistency(b, f, width, height, c), "flow consistency");
    }

    /// <summary>Confidence at or above this passed the forward–backward check (exp(-1): the miss equals the tolerance).</summary>
    public static readonly float Reliable = MathF.Exp(-1f);

    /// <summary>A float image resized bilinearly to <paramref name="outWidth"/>×<paramref name="outHeight"/>, values multiplied by <paramref name="multiply"/> (a flow resized by s is scaled by s).</summary>
    public static unsafe float[] Resize(ReadOnlySpan<float> source, int channels, int width, int height, int outWidth, int outHeight, float multiply = 1f)
    {
        CheckLength(source.Length, width * height * channels, "source");
        var output = new float[outWidth * outHeight * channels];
        fixed (float* s = source)
        fixed (float* o = output)
            VideoNative.Check(VideoNative.wbv_resize(s, channels, width, height, o, outWidth, outHeight, multiply), "resize");
        return output;
    }

    private static void CheckLength(int actual, int expected, string name)
    {
        if (actual != expected) throw new ArgumentException($"{name} has {actual} elements, expected {expected}", name);
    }
}
