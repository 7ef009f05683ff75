using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>
/// OpenCV's decoders and encoders between encoded files and HWC sample tensors in RGB(A) order. Policy (sniffing, size
/// limits, orientation, colour modes, error wording) is the callers' (<see cref="ImageIO"/>, <see cref="ImageSamples"/>).
/// </summary>
internal static class ImageCodec
{
    /// <summary>
    /// The samples exactly as stored: (H, W, C), C in 1..4, uint8 for 8-bit files, int32 holding 0..65535 for 16-bit ones
    /// (libtorch 1.13 has no uint16), float32 for floating-point TIFFs. No EXIF rotation, alpha kept.
    /// </summary>
    /// <exception cref="ImagingException">The decoder rejected the data.</exception>
    public static unsafe Tensor Decode(ReadOnlySpan<byte> data)
    {
        IntPtr image;
        fixed (byte* p = data) image = Check(wbi_image_decode(p, data.Length));
        try
        {
            var pixels = wbi_image_pixels(image, out var height, out var width, out var channels, out var depth);
            if (depth == DepthU16)
            {
                Check(wbi_image_convert(image, DepthS32));
                pixels = wbi_image_pixels(image, out height, out width, out channels, out depth);
            }
            long[] shape = [height, width, channels];
            // Spans (and so torch.from_span) count in int; OpenCV's own limit (2^30 pixels) is about the same.
            var samples = (long)height * width * channels;
            if (samples > int.MaxValue) throw new ImagingException($"{width}x{height}x{channels} is {samples} samples, more than the 2^31 - 1 one decode can hold");
            var count = (int)samples;
            return depth switch
            {
                DepthU8 => torch.from_span(new ReadOnlySpan<byte>((void*)pixels, count), shape),
                DepthS32 => torch.from_span(new ReadOnlySpan<int>((void*)pixels, count), shape),
                DepthF32 => torch.from_span(new ReadOnlySpan<float>((void*)pixels, count), shape),
                _ => throw new ImagingException($"unsupported sample type (OpenCV depth {depth})"),
            };
        }
        finally
        {
            wbi_image_free(image);
        }
    }

    /// <summary>
    /// Encodes (H, W, C) samples, C in 1, 3 or 4 in RGB(A) order, uint8 or int32 holding 16-bit samples 0..65535.
    /// <paramref name="extension"/> picks the codec (".png", ".jpg", ".webp", ".bmp", ".tiff"); <paramref name="parameters"/>
    /// are OpenCV's (flag, value) pairs.
    /// </summary>
    /// <exception cref="ImagingException">OpenCV could not encode the image.</exception>
    public static unsafe byte[] Encode(Tensor hwc, string extension, int[] parameters)
    {
        if (hwc.dim() != 3) throw new ArgumentException($"expected (H, W, C) samples, got shape [{string.Join(", ", hwc.shape)}]", nameof(hwc));
        var (height, width, channels) = (checked((int)hwc.size(0)), checked((int)hwc.size(1)), checked((int)hwc.size(2)));
        using var pixels = hwc.dtype switch
        {
            ScalarType.UInt8 => PixelMemory.CopyOf<byte>(hwc),
            ScalarType.Int32 => PixelMemory.CopyOf<int>(hwc),
            var other => throw new ArgumentException($"expected uint8 or int32 (16-bit) samples, got {other.TorchName()}", nameof(hwc)),
        };
        var depth = hwc.dtype == ScalarType.UInt8 ? DepthU8 : DepthS32;
        Check(wbi_image_encode(pixels.Pointer, height, width, channels, depth, extension, parameters, parameters.Length, out var bytes, out var size));
        try
        {
            return new ReadOnlySpan<byte>((void*)bytes, checked((int)size)).ToArray();
        }
        finally
        {
            wbi_free(bytes);
        }
    }
}
