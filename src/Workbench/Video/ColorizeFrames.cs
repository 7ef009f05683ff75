using Workbench.Data;
using Workbench.Inference;
using Workbench.Torch;

namespace Workbench.Video;

/// <summary>
/// Colorizes frames with any model the still-image <see cref="Colorizer"/> takes (ours, DeOldify's, Zhang's): each
/// frame's luminance is colorized on its own, then, with a strength above 0, its chroma (U, V of YUV, so the frame's
/// own Y is kept exactly) is stabilised along the optical flow of the gray frames (<see cref="TemporalStabilizer"/>).
/// </summary>
public sealed class ColorizeFrames(Colorizer colorizer, double strength = TemporalStabilizer.DefaultStrength, FlowMethod flow = FlowMethod.Dis) : IFrameProcessor
{
    private readonly TemporalStabilizer? stabilizer = strength > 0 ? new TemporalStabilizer(strength) : null;
    private MotionTracker? motion;
    private byte[]? gray;

    public IReadOnlyList<long> Cuts => motion?.Cuts ?? [];

    public (int Width, int Height) OutputSize(int width, int height) => (width, height);

    public void Process(ReadOnlySpan<byte> bgr, int width, int height, Span<byte> output)
    {
        using var scope = torch.NewDisposeScope();
        var rgb = VideoFrames.ToRgb(bgr, width, height);
        var colour = colorizer.Colorize(ColorSpace.Luma(rgb));                   // (3, H, W), the frame's Y kept
        if (stabilizer is not null)
        {
            motion ??= new MotionTracker(width, height, flow);
            gray ??= new byte[width * height];
            VideoFrames.Gray(bgr, gray);
            colour = Stabilize(colour, stabilizer, motion.Next(gray));
        }
        VideoFrames.ToBgr(colour, output);
    }

    /// <summary>A colorized frame with its U, V stabilised and its Y kept.</summary>
    internal static Tensor Stabilize(Tensor colour, TemporalStabilizer stabilizer, FrameMotion motion)
    {
        using var scope = torch.NewDisposeScope();
        var yuv = ColorSpace.RgbToYuv(colour);
        var uv = VideoFrames.Interleaved(yuv, 1, 2);                                // (H, W, 2)
        stabilizer.Step(uv, 2, motion);
        var stable = torch.cat([yuv.narrow(0, 0, 1), VideoFrames.Planar(uv, 2, motion.Width, motion.Height)], 0);
        return ColorSpace.YuvToRgb(stable).clamp(0.0, 1.0).MoveToOuterDisposeScope();
    }
}
