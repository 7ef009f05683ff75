using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>
/// OpenCV's decoders and encoders between encoded files and HWC sample tensors in RGB(A) order. Pixels go straight
/// between the codec and the tensor's memory (<see cref="Tensor.data_ptr"/>), with no copy in between. Policy (sniffing,
/// size limits, orientation, colour modes, error wording) is the callers' (<see cref="ImageIO"/>, <see cref="ImageSamples"/>).
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
            wbi_image_info(image, out var height, out var width, out var channels, out var depth);
            var (dtype, readDepth) = depth switch
            {
                DepthU8 => (ScalarType.UInt8, DepthU8),
                DepthU16 => (ScalarType.Int32, DepthS32),
                DepthF32 => (ScalarType.Float32, DepthF32),
                _ => throw new ImagingException($"unsupported sample type (OpenCV depth {depth})"),
            };
            var hwc = torch.empty([height, width, channels], dtype);
            try
            {
                Check(wbi_image_read(image, hwc.data_ptr(), hwc.numel() * hwc.element_size(), readDepth));
                return hwc;
            }
            catch
            {
                hwc.Dispose();
                throw;
            }
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
        var depth = hwc.dtype switch
        {
            ScalarType.UInt8 => DepthU8,
            ScalarType.Int32 => DepthS32,
            var other => throw new ArgumentException($"expected uint8 or int32 (16-bit) samples, got {other.TorchName()}", nameof(hwc)),
        };
        using var pixels = hwc.cpu().contiguous(); // the same tensor, unless it is elsewhere or strided
        var (height, width, channels) = (checked((int)hwc.size(0)), checked((int)hwc.size(1)), checked((int)hwc.size(2)));
        Check(wbi_image_encode(pixels.data_ptr(), height, width, channels, depth, extension, parameters, parameters.Length, out var bytes, out var size));
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
