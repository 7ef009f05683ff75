using Workbench.Data;
using Workbench.Torch;
using Workbench.Video;

namespace Workbench.Tests.Video;

public sealed class UpscaleFramesTests
{
    private const int Width = 48, Height = 36;

    /// <summary>An "upscaler" that invents texture anew each frame: bicubic x2 plus fresh noise (what shimmers).</summary>
    private static Tensor Shimmering(Tensor rgb)
    {
        var up = ImageResize.Resize(rgb, Height * 2, Width * 2, InterpolationMode.Bicubic);
        return up + (torch.rand(up.shape) - 0.5) * 0.2;
    }

    /// <summary>Mean absolute change between consecutive output frames of a still scene, and the mean output brightness.</summary>
    private static (double Change, double Mean) Run(double strength)
    {
        torch.manual_seed(1);
        var frames = new UpscaleFrames(Shimmering, (w, h) => (2 * w, 2 * h), strength);
        var input = SyntheticVideo.Bgr(Width, Height, 0);
        var (output, previous) = (new byte[Width * Height * 12], (byte[]?)null);
        double change = 0, mean = 0;
        for (var t = 0; t < 8; t++)
        {
            frames.Process(input, Width, Height, output);
            if (previous is not null) change += previous.Zip(output).Average(p => Math.Abs(p.First - p.Second)) / 7;
            mean += output.Average(b => (double)b) / 8;
            previous = (byte[])output.Clone();
        }
        return (change, mean);
    }

    [Fact]
    public void StabilisingTheAddedDetailRemovesShimmerAndKeepsTheBase()
    {
        var perFrame = Run(0);
        var stabilised = Run(TemporalStabilizer.DefaultStrength);
        Assert.True(stabilised.Change < 0.5 * perFrame.Change, $"frame-to-frame change: per-frame {perFrame.Change:F2}, stabilised {stabilised.Change:F2}");
        Assert.Equal(perFrame.Mean, stabilised.Mean, 0.5); // the bicubic base (and so the brightness) is the frame's own
    }
}
