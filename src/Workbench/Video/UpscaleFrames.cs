using Workbench.Data;
using Workbench.Inference;
using Workbench.Torch;

namespace Workbench.Video;

/// <summary>
/// Upscales frames with any model the still-image command takes: Workbench's tiled <see cref="Upscaler"/> or the
/// Real-ESRGAN pipeline (<see cref="RealEsrganer"/>, published .pth files). With a strength above 0, the detail the
/// network adds on top of a bicubic upscale of the frame is stabilised along the flow of the low-resolution gray
/// frames (scaled to the output): invented texture, re-guessed every frame, is what shimmers, while the bicubic base
/// follows the frame exactly, so brightness changes are never delayed.
/// </summary>
public sealed class UpscaleFrames : IFrameProcessor
{
    private readonly Func<Tensor, Tensor> upscale;
    private readonly Func<int, int, (int Width, int Height)> outputSize;
    private readonly TemporalStabilizer? stabilizer;
    private readonly FlowMethod flow;
    private MotionTracker? motion;
    private byte[]? gray;

    public UpscaleFrames(Upscaler upscaler, double strength = TemporalStabilizer.DefaultStrength, FlowMethod flow = FlowMethod.Dis)
        : this(rgb => upscaler.Upscale(rgb), (w, h) => ((int)(w * upscaler.Scale), (int)(h * upscaler.Scale)), strength, flow)
    {
    }

    public UpscaleFrames(RealEsrganer upscaler, double strength = TemporalStabilizer.DefaultStrength, FlowMethod flow = FlowMethod.Dis)
        : this(rgb => Enhance(upscaler, rgb), (w, h) => Swap(upscaler.OutputSize(h, w)), strength, flow)
    {
    }

    internal UpscaleFrames(Func<Tensor, Tensor> upscale, Func<int, int, (int, int)> outputSize, double strength, FlowMethod flow = FlowMethod.Dis)
    {
        this.upscale = upscale;
        this.outputSize = outputSize;
        this.flow = flow;
        stabilizer = strength > 0 ? new TemporalStabilizer(strength) : null;
    }

    public IReadOnlyList<long> Cuts => motion?.Cuts ?? [];

    public (int Width, int Height) OutputSize(int width, int height) => outputSize(width, height);

    public void Process(ReadOnlySpan<byte> bgr, int width, int height, Span<byte> output)
    {
        using var scope = torch.NewDisposeScope();
        var rgb = VideoFrames.ToRgb(bgr, width, height);
        var result = upscale(rgb);                                                // (3, oH, oW)
        if (stabilizer is not null)
        {
            motion ??= new MotionTracker(width, height, flow);
            gray ??= new byte[width * height];
            VideoFrames.Gray(bgr, gray);
            var step = motion.Next(gray);
            var (ow, oh) = ((int)result.size(2), (int)result.size(1));
            var bicubic = ImageResize.Resize(rgb, oh, ow, InterpolationMode.Bicubic);
            var detail = VideoFrames.Interleaved(result - bicubic, 0, 3);          // (oH, oW, 3)
            stabilizer.Step(detail, 3, step.Resized(ow, oh));
            result = bicubic + VideoFrames.Planar(detail, 3, ow, oh);
        }
        VideoFrames.ToBgr(result, output);
    }

    /// <summary>Real-ESRGAN's pipeline takes and gives (H, W, 3) bytes, as upstream's cv2 arrays (in RGB order).</summary>
    private static Tensor Enhance(RealEsrganer upscaler, Tensor rgb)
    {
        using var scope = torch.NewDisposeScope();
        var samples = rgb.mul(255.0).round_().to(ScalarType.UInt8).permute(1, 2, 0).contiguous();
        return upscaler.Enhance(samples).permute(2, 0, 1).to(ScalarType.Float32).div_(255.0).MoveToOuterDisposeScope();
    }

    private static (int, int) Swap((long Height, long Width) size) => ((int)size.Width, (int)size.Height);
}
