using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Reads and writes images as float32 CHW tensors in [0, 1] (RGB by default), through OpenCV's codecs.
/// Decoding goes by content, applies the EXIF orientation, keeps 16-bit precision (values / 65535) and
/// refuses files that are empty, truncated, corrupt, not images, or absurdly large with an
/// <see cref="ImageDecodeException"/> naming the file. Every method is thread-safe, so a data loader may
/// decode on several threads; the tensors belong to the calling thread's dispose scope as usual.
/// </summary>
public static class ImageIO
{
    /// <summary>Reads an image file (PNG, JPEG, WebP, BMP or TIFF, recognised by content).</summary>
    /// <returns>CHW float32 in [0, 1]; channels as <see cref="ImageReadOptions.Mode"/> says (RGB by default).</returns>
    /// <exception cref="ImageDecodeException">The file is not a decodable image.</exception>
    /// <exception cref="IOException">The file cannot be read (missing, no permission).</exception>
    public static Tensor Read(string path, ImageReadOptions? options = null) => Decode(File.ReadAllBytes(path), path, options);

    /// <summary>Decodes an image held in memory; <paramref name="nameForErrors"/> names it in exception messages.</summary>
    public static Tensor ReadBytes(byte[] data, string nameForErrors = "<bytes>", ImageReadOptions? options = null) => Decode(data, nameForErrors, options);

    /// <inheritdoc cref="ReadBytes(byte[], string, ImageReadOptions?)"/>
    public static Tensor Decode(ReadOnlySpan<byte> data, string nameForErrors, ImageReadOptions? options = null)
    {
        options ??= ImageReadOptions.Default;
        var info = ParseHeader(data, nameForErrors, requireComplete: true, options.MaxPixels);
        using var scope = torch.NewDisposeScope();
        Tensor hwc;
        try
        {
            hwc = ImageCodec.Decode(data);
        }
        catch (ImagingException e)
        {
            throw new ImageDecodeException(nameForErrors, $"{Name(info.Format)}: {e.Message}", e);
        }
        // OpenCV's TIFF decoder turns the pixels by the orientation tag itself; for the other formats we do.
        var decoderOriented = info.Format == ImageFormat.Tiff;
        var (height, width) = decoderOriented ? (info.Height, info.Width) : (info.StoredHeight, info.StoredWidth);
        if (hwc.size(0) != height || hwc.size(1) != width)
            throw new ImageDecodeException(nameForErrors, $"{Name(info.Format)}: the header says {width}x{height} but the decoder produced {hwc.size(1)}x{hwc.size(0)}");
        if (decoderOriented && !options.ApplyOrientation) hwc = Orient(hwc, Inverse(info.Orientation));
        else if (!decoderOriented && options.ApplyOrientation) hwc = Orient(hwc, info.Orientation);
        var scale = hwc.dtype switch
        {
            ScalarType.UInt8 => 1.0 / 255,
            ScalarType.Int32 => 1.0 / 65535, // 16-bit samples
            _ => 1.0,                        // floating-point TIFF
        };
        // 8-bit TIFFs with declared alpha come through libtiff's RGBA reader premultiplied.
        var premultiplied = info.DecoderPremultipliesAlpha && hwc.dtype == ScalarType.UInt8 && hwc.size(2) == 4;
        var chw = HwcSamples.ToChwFloat(hwc, scale);
        return ConvertMode(chw, options, premultiplied).MoveToOuterDisposeScope();
    }

    /// <summary>The format, size and orientation from the file's header, without decoding pixels (reads the first MiB, or all of it if the header runs on).</summary>
    public static ImageInfo ReadInfo(string path)
    {
        const int Prefix = 1 << 20;
        using (var stream = File.OpenRead(path))
        {
            if (stream.Length > Prefix)
            {
                var head = new byte[Prefix];
                stream.ReadExactly(head);
                try
                {
                    return ImageHeader.Parse(head, requireComplete: false);
                }
                catch (FormatException)
                {
                    // The header continues past the prefix (or is damaged): parse the whole file below.
                }
            }
        }
        return ParseHeader(File.ReadAllBytes(path), path, requireComplete: false, long.MaxValue);
    }

    /// <summary>The format <see cref="Write"/> picks for a file name: .png, .jpg/.jpeg, .webp, .bmp, .tif/.tiff.</summary>
    public static ImageFormat FormatFromExtension(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".png" => ImageFormat.Png,
        ".jpg" or ".jpeg" => ImageFormat.Jpeg,
        ".webp" => ImageFormat.WebP,
        ".bmp" => ImageFormat.Bmp,
        ".tif" or ".tiff" => ImageFormat.Tiff,
        var other => throw new ArgumentException($"cannot tell the image format from the extension '{other}' of '{path}'; use .png, .jpg, .jpeg, .webp, .bmp, .tif or .tiff", nameof(path)),
    };

    /// <summary>
    /// Writes a CHW image (float in [0, 1], clamped; uint8; or int32 samples 0..65535 for 16-bit) to <paramref name="path"/>, in the format its extension
    /// names. The file appears complete or not at all: the bytes go to a temporary file in the same folder,
    /// which is then renamed over the target (a crash mid-write leaves no half image for a dataset to trip on).
    /// </summary>
    /// <param name="path">Target file; .png, .jpg/.jpeg, .webp, .bmp or .tif/.tiff.</param>
    /// <param name="image">CHW (or HW) with 1 (gray), 3 (RGB) or 4 (RGBA) channels.</param>
    /// <param name="quality">JPEG quality 1..100 (default 95); WebP 1..100 for lossy, null for lossless.</param>
    /// <param name="bitDepth">8, or 16 for PNG and TIFF (keeps float precision for HDR-ish or linear data).</param>
    /// <param name="overwrite">Replace an existing file; when false an existing file is left as it is and an <see cref="OutputExistsException"/> is thrown (checked by the rename itself, so a file that appears meanwhile is not clobbered either).</param>
    public static void Write(string path, Tensor image, int? quality = null, int bitDepth = 8, bool overwrite = true)
    {
        if (!overwrite && File.Exists(path)) throw new OutputExistsException(path); // before encoding: no work for nothing
        var bytes = Encode(image, FormatFromExtension(path), quality, bitDepth);
        WriteAtomically(path, bytes, overwrite);
    }

    /// <summary>Encodes a CHW image into the bytes of an image file; see <see cref="Write"/> for the arguments.</summary>
    public static byte[] Encode(Tensor image, ImageFormat format, int? quality = null, int bitDepth = 8)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(bitDepth), bitDepth, "bit depth is 8 or 16");
        if (bitDepth == 16 && format is not (ImageFormat.Png or ImageFormat.Tiff))
            throw new ArgumentException($"{format} stores 8-bit samples only; use PNG or TIFF for 16-bit", nameof(bitDepth));
        if (quality is { } q && (q < 1 || q > 100)) throw new ArgumentOutOfRangeException(nameof(quality), q, "quality is 1..100");
        if (quality is not null && format is not (ImageFormat.Jpeg or ImageFormat.WebP))
            throw new ArgumentException($"{format} is lossless and takes no quality", nameof(quality));

        using var scope = torch.NewDisposeScope();
        var chw = image.dim() == 2 ? image.unsqueeze(0) : image;
        if (chw.dim() != 3 || chw.size(0) is not (1 or 3 or 4))
            throw new ArgumentException($"expected a CHW image with 1, 3 or 4 channels, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        Tensor hwc;
        if (chw.dtype == ScalarType.UInt8 && bitDepth == 8)
            hwc = chw.cpu().permute(1, 2, 0).contiguous();
        else if (chw.dtype == ScalarType.Int32 && bitDepth == 16) // 16-bit samples 0..65535 (the upscaler's output buffer): no float copy
            hwc = chw.cpu().permute(1, 2, 0).contiguous();
        else if (chw.is_floating_point())
            hwc = HwcSamples.FromChwFloat(chw, bitDepth == 8 ? 255 : 65535, bitDepth == 8 ? ScalarType.UInt8 : ScalarType.Int32);
        else
            throw new ArgumentException($"expected a floating-point image in [0, 1] (or uint8 for 8-bit output), got {image.dtype.TorchName()}", nameof(image));

        var (extension, parameters) = format switch
        {
            // zlib level 6 (Pillow's and libpng's default): about 25% smaller than OpenCV's speed-first level 1.
            ImageFormat.Png => (".png", new[] { ImwritePngCompression, 6 }),
            ImageFormat.Jpeg => (".jpg", new[] { ImwriteJpegQuality, quality ?? 95 }),
            // OpenCV's WebP encoder is lossless for any quality above 100.
            ImageFormat.WebP => (".webp", new[] { ImwriteWebpQuality, quality ?? 101 }),
            ImageFormat.Bmp => (".bmp", Array.Empty<int>()),
            _ => (".tiff", Array.Empty<int>()), // LZW, OpenCV's default
        };
        return ImageCodec.Encode(hwc, extension, parameters);
    }

    // cv::ImwriteFlags
    private const int ImwriteJpegQuality = 1;
    private const int ImwritePngCompression = 16;
    private const int ImwriteWebpQuality = 64;

    // Not AtomicFile: that one fsyncs file and folder, right for checkpoints but a large cost when data
    // preparation writes hundreds of thousands of crops. Without fsync a crash still never leaves a partial file.
    private static void WriteAtomically(string path, byte[] bytes, bool overwrite)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                stream.Write(bytes);
            // rename(2): atomic within one file system; without overwrite link(2) + unlink(2), which fails if the target exists.
            File.Move(temporary, full, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(full))
        {
            File.Delete(temporary);
            throw new OutputExistsException(path);
        }
        catch
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
                // The write failed before the temporary file existed (e.g. a missing folder): keep the first error.
            }
            throw;
        }
    }

    private static ImageInfo ParseHeader(ReadOnlySpan<byte> data, string name, bool requireComplete, long maxPixels)
    {
        try
        {
            return ImageHeader.Parse(data, requireComplete, maxPixels);
        }
        catch (FormatException e)
        {
            throw new ImageDecodeException(name, e.Message, e);
        }
    }

    /// <summary>Turns HWC pixels as stored into the picture as displayed, for EXIF orientations 1..8.</summary>
    internal static Tensor Orient(Tensor hwc, int orientation) => orientation switch
    {
        2 => hwc.flip(1),                    // mirrored left-right
        3 => hwc.flip(0, 1),                 // rotated 180
        4 => hwc.flip(0),                    // mirrored top-bottom
        5 => hwc.transpose(0, 1),            // mirrored along the main diagonal
        6 => hwc.transpose(0, 1).flip(1),    // stored rotated 90 counter-clockwise: turn 90 clockwise
        7 => hwc.transpose(0, 1).flip(0, 1), // mirrored along the anti-diagonal
        8 => hwc.transpose(0, 1).flip(0),    // stored rotated 90 clockwise: turn 90 counter-clockwise
        _ => hwc,
    };

    private static Tensor ConvertMode(Tensor chw, ImageReadOptions options, bool premultiplied)
    {
        var channels = chw.size(0);
        if (channels is 1 or 3 && options.Mode is ImageMode.Rgb or ImageMode.Gray)
            return options.Mode == ImageMode.Rgb ? ToRgb(chw) : Luma(chw);
        if (channels == 4 && options.Mode == ImageMode.Rgba && !premultiplied) return chw;
        var color = channels >= 3 ? chw.narrow(0, 0, 3) : chw.narrow(0, 0, 1);
        var alpha = channels is 2 or 4 ? chw.narrow(0, channels - 1, 1) : torch.ones_like(chw.narrow(0, 0, 1));
        return options.Mode switch
        {
            ImageMode.Rgb => Composite(ToRgb(color), alpha, options.Background, premultiplied),
            ImageMode.Gray => Luma(Composite(ToRgb(color), alpha, options.Background, premultiplied)),
            ImageMode.Rgba => torch.cat([ToRgb(Straight(color, alpha, premultiplied)), alpha]),
            _ => torch.cat([Luma(Straight(color, alpha, premultiplied)), alpha]),
        };
    }

    /// <summary>Undoes premultiplication; where alpha is 0 the colour is 0 (nothing to recover).</summary>
    private static Tensor Straight(Tensor color, Tensor alpha, bool premultiplied) =>
        premultiplied ? color.div(alpha.clamp(min: 1e-6)).clamp(max: 1.0) : color;

    private static Tensor ToRgb(Tensor color) => color.size(0) == 3 ? color : color.expand(3, -1, -1).contiguous();

    // Gray stays gray: the weights sum to 1, so replicating first would give the same values, slower.
    private static Tensor Luma(Tensor color) => color.size(0) == 1 ? color.contiguous() : color.mul(LumaWeights()).sum(0, keepdim: true);

    private static Tensor LumaWeights() => torch.tensor(new[] { 0.299f, 0.587f, 0.114f }, [3, 1, 1]);

    /// <summary>color * alpha + background * (1 - alpha), per channel (premultiplied colour already holds color * alpha).</summary>
    private static Tensor Composite(Tensor rgb, Tensor alpha, (float R, float G, float B) background, bool premultiplied)
    {
        var bg = torch.tensor(new[] { background.R, background.G, background.B }, [3, 1, 1]);
        return premultiplied ? rgb.sub(alpha.mul(bg)).add(bg) : rgb.sub(bg).mul(alpha).add(bg);
    }

    /// <summary>The orientation that undoes <paramref name="orientation"/>: the two quarter turns swap, the rest undo themselves.</summary>
    internal static int Inverse(int orientation) => orientation switch { 6 => 8, 8 => 6, _ => orientation };

    internal static string Name(ImageFormat format) => format == ImageFormat.WebP ? "WebP" : format.ToString().ToUpperInvariant();
}
