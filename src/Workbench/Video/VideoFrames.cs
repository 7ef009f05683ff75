using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Video;

/// <summary>Between OpenCV's frame bytes (BGR, height·width·3) and the library's CHW float RGB tensors.</summary>
public static class VideoFrames
{
    /// <summary>(3, H, W) float RGB in [0, 1], in the caller's dispose scope.</summary>
    public static Tensor ToRgb(ReadOnlySpan<byte> bgr, int width, int height)
    {
        using var scope = torch.NewDisposeScope();
        var hwc = torch.from_span(bgr, [height, width, 3], ScalarType.UInt8);
        return hwc.flip(2).permute(2, 0, 1).to(ScalarType.Float32).div_(255.0).MoveToOuterDisposeScope();
    }

    /// <summary>Writes a (3, H, W) RGB tensor in [0, 1] (clamped, rounded) as BGR bytes.</summary>
    public static void ToBgr(Tensor rgb, Span<byte> bgr)
    {
        using var scope = torch.NewDisposeScope();
        var bytes = rgb.clamp(0.0, 1.0).mul(255.0).round_().to(ScalarType.UInt8).flip(0).permute(1, 2, 0).contiguous().data<byte>();
        if (bytes.Length != bgr.Length) throw new ArgumentException($"a frame of {bytes.Length} bytes does not fit a buffer of {bgr.Length}", nameof(bgr));
        bytes.CopyTo(bgr);
    }

    /// <summary>BT.601 luma of BGR bytes, rounded (OpenCV's COLOR_BGR2GRAY): what the optical flow sees.</summary>
    public static void Gray(ReadOnlySpan<byte> bgr, Span<byte> gray)
    {
        if (gray.Length * 3 != bgr.Length) throw new ArgumentException($"{bgr.Length} BGR bytes make {bgr.Length / 3} gray ones, the buffer has {gray.Length}", nameof(gray));
        for (int i = 0, j = 0; i < gray.Length; i++, j += 3)
            gray[i] = (byte)((bgr[j] * 1868 + bgr[j + 1] * 9617 + bgr[j + 2] * 4899 + 8192) >> 14); // 0.114, 0.587, 0.299 in 14-bit fixed point, as OpenCV
    }

    /// <summary>The (H, W, C) interleaved floats of the channels [first, first + count) of a CHW tensor.</summary>
    public static float[] Interleaved(Tensor chw, int first, int count)
    {
        using var scope = torch.NewDisposeScope();
        return chw.narrow(0, first, count).permute(1, 2, 0).contiguous().to(ScalarType.Float32).data<float>();
    }

    /// <summary>A (C, H, W) tensor from interleaved (H, W, C) floats.</summary>
    public static Tensor Planar(ReadOnlySpan<float> hwc, int channels, int width, int height)
    {
        using var scope = torch.NewDisposeScope();
        return torch.from_span(hwc, [height, width, channels], ScalarType.Float32).permute(2, 0, 1).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>CIE a*b* of a (3, H, W) RGB tensor in [0, 1] as interleaved (H, W, 2) floats (the flicker metric's planes).</summary>
    public static float[] LabChroma(Tensor rgb)
    {
        using var scope = torch.NewDisposeScope();
        return Interleaved(ColorSpace.RgbToLab(rgb.clamp(0.0, 1.0)), 1, 2);
    }
}
