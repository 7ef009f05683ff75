using System.Buffers.Binary;

namespace Workbench.Data;

/// <summary>The container formats <see cref="ImageIO"/> reads and writes.</summary>
public enum ImageFormat
{
    Png,
    Jpeg,
    WebP,
    Bmp,
    Tiff,
}

/// <summary>What the header of an image file says, read without decoding any pixels.</summary>
/// <param name="Format">The format recognised from the file's content (never from its name).</param>
/// <param name="StoredWidth">Width of the pixel grid as stored.</param>
/// <param name="StoredHeight">Height of the pixel grid as stored.</param>
/// <param name="Orientation">The EXIF/TIFF orientation tag, 1 (as stored) to 8; 1 when absent.</param>
public sealed record ImageInfo(ImageFormat Format, int StoredWidth, int StoredHeight, int Orientation)
{
    /// <summary>Orientations 5 to 8 turn the picture by 90 degrees, so width and height swap.</summary>
    public bool SwapsAxes => Orientation >= 5;

    /// <summary>Width as displayed, i.e. of the tensor <see cref="ImageIO.Read"/> returns.</summary>
    public int Width => SwapsAxes ? StoredHeight : StoredWidth;

    /// <summary>Height as displayed, i.e. of the tensor <see cref="ImageIO.Read"/> returns.</summary>
    public int Height => SwapsAxes ? StoredWidth : StoredHeight;

    public long PixelCount => (long)StoredWidth * StoredHeight;

    /// <summary>
    /// A TIFF whose alpha is declared (ExtraSamples 1 or 2): libtiff's RGBA reader, which OpenCV uses for 8-bit
    /// files, returns colour premultiplied by alpha for both. An undeclared 4th sample comes back as stored.
    /// </summary>
    internal bool DecoderPremultipliesAlpha { get; init; }
}

/// <summary>
/// Reads image headers by hand: the format from the magic bytes, the size (to refuse decompression bombs
/// before the decoder allocates anything), the EXIF orientation (OpenCV ignores it once alpha or 16-bit
/// samples are asked for) and, for JPEG, whether the stream is complete (libjpeg pads a truncated file
/// with gray and only warns). Pure managed code, so it is thread-safe.
/// </summary>
internal static class ImageHeader
{
    /// <summary>
    /// Parses the header. With <paramref name="requireComplete"/> the data must also hold the whole image
    /// (JPEG: an end-of-image marker; WebP: the RIFF size; BMP: the pixel array). An image of more than
    /// <paramref name="maxPixels"/> pixels is refused as soon as its size is read.
    /// </summary>
    /// <exception cref="FormatException">The data is not a supported image, its header is damaged, or it is too large.</exception>
    public static ImageInfo Parse(ReadOnlySpan<byte> data, bool requireComplete, long maxPixels = long.MaxValue)
    {
        if (data.IsEmpty) throw new FormatException("the file is empty (0 bytes)");
        var format = Sniff(data) ?? throw new FormatException(
            $"not a supported image: the content starts with {Describe(data)}; supported are PNG, JPEG, WebP, BMP and TIFF (recognised by content, not by file extension)");
        return format switch
        {
            ImageFormat.Png => ParsePng(data, maxPixels),
            ImageFormat.Jpeg => ParseJpeg(data, requireComplete, maxPixels),
            ImageFormat.WebP => ParseWebP(data, requireComplete, maxPixels),
            ImageFormat.Bmp => ParseBmp(data, requireComplete, maxPixels),
            _ => ParseTiff(data, maxPixels),
        };
    }

    public static ImageFormat? Sniff(ReadOnlySpan<byte> d)
    {
        if (d.Length >= 8 && d[..8].SequenceEqual(PngSignature)) return ImageFormat.Png;
        if (d.Length >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return ImageFormat.Jpeg;
        if (d.Length >= 12 && d[..4].SequenceEqual("RIFF"u8) && d[8..12].SequenceEqual("WEBP"u8)) return ImageFormat.WebP;
        if (d.Length >= 2 && d[0] == (byte)'B' && d[1] == (byte)'M') return ImageFormat.Bmp;
        if (d.Length >= 4 && (d[..4].SequenceEqual("II*\0"u8) || d[..4].SequenceEqual("MM\0*"u8))) return ImageFormat.Tiff;
        return null;
    }

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private static string Describe(ReadOnlySpan<byte> d)
    {
        var head = d[..Math.Min(8, d.Length)];
        var text = new string(head.ToArray().Select(b => b is >= 0x20 and < 0x7F ? (char)b : '.').ToArray());
        return $"bytes {Convert.ToHexString(head)} (\"{text}\")";
    }

    private static FormatException Truncated(string format, string where) => new($"truncated {format} data: the file ends {where}");

    // ---- PNG: IHDR must come first; orientation from an eXIf chunk -------------------------------------------
    private static ImageInfo ParsePng(ReadOnlySpan<byte> d, long maxPixels)
    {
        if (d.Length < 33) throw Truncated("PNG", "inside the IHDR header");
        if (!d[12..16].SequenceEqual("IHDR"u8)) throw new FormatException("damaged PNG: the first chunk is not IHDR");
        var width = BinaryPrimitives.ReadUInt32BigEndian(d[16..]);
        var height = BinaryPrimitives.ReadUInt32BigEndian(d[20..]);
        var orientation = 1;
        // Walk the chunks (length, type, payload, CRC) for eXIf; a cut-off walk is left to the decoder.
        for (long pos = 8; pos + 8 <= d.Length;)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(d[(int)pos..]);
            var type = d.Slice((int)pos + 4, 4);
            var end = pos + 12 + length;
            if (type.SequenceEqual("eXIf"u8) && end <= d.Length)
            {
                orientation = TiffOrientation(d.Slice((int)pos + 8, (int)length)) ?? 1;
                break;
            }
            if (type.SequenceEqual("IEND"u8)) break;
            pos = end;
        }
        return Checked(ImageFormat.Png, width, height, orientation, maxPixels);
    }

    // ---- JPEG: segments up to SOS for SOFn (size) and APP1/Exif; then the scans up to EOI -------------------
    private static ImageInfo ParseJpeg(ReadOnlySpan<byte> d, bool requireComplete, long maxPixels)
    {
        uint width = 0, height = 0;
        var orientation = 1;
        var sawFrame = false;
        var sawExif = false;
        var pos = 2;
        while (true)
        {
            // Find the next marker: 0xFF, optional 0xFF fill bytes, then the marker code.
            var next = d[pos..].IndexOf((byte)0xFF);
            if (next < 0) break;
            pos += next;
            while (pos < d.Length && d[pos] == 0xFF) pos++;
            if (pos >= d.Length) break;
            var marker = d[pos++];
            if (marker == 0xD9) // EOI
                return sawFrame ? Checked(ImageFormat.Jpeg, width, height, orientation, maxPixels) : throw new FormatException("damaged JPEG: no frame header (SOF) before the end-of-image marker");
            if (marker is 0x01 or 0xD8 or (>= 0xD0 and <= 0xD7)) continue; // standalone markers carry no length
            if (pos + 2 > d.Length) break;
            int length = BinaryPrimitives.ReadUInt16BigEndian(d[pos..]);
            if (length < 2) throw new FormatException($"damaged JPEG: segment 0xFF{marker:X2} has length {length}");
            var segment = pos + length <= d.Length ? d.Slice(pos + 2, length - 2) : ReadOnlySpan<byte>.Empty;
            var complete = pos + length <= d.Length;
            if (IsStartOfFrame(marker))
            {
                if (!complete || segment.Length < 5) break;
                height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]);
                width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
                if (height == 0) throw new FormatException("unsupported JPEG: the height is deferred to a DNL marker");
                sawFrame = true;
                // The size is known: refuse a bomb now, even when the file is also truncated.
                Checked(ImageFormat.Jpeg, width, height, orientation, maxPixels);
            }
            else if (marker == 0xE1 && complete && !sawExif && segment.Length > 6 && segment[..6].SequenceEqual("Exif\0\0"u8))
            {
                sawExif = true;
                orientation = TiffOrientation(segment[6..]) ?? 1;
            }
            pos += length;
            if (pos > d.Length) break;
            if (marker == 0xDA) // SOS: entropy-coded data follows, where 0xFF is stuffed as FF 00 and FF D0..D7 are restarts
            {
                if (!sawFrame) throw new FormatException("damaged JPEG: scan data before any frame header (SOF)");
                if (!requireComplete) return Checked(ImageFormat.Jpeg, width, height, orientation, maxPixels);
                while (true)
                {
                    var ff = d[pos..].IndexOf((byte)0xFF);
                    if (ff < 0) { pos = d.Length; break; }
                    pos += ff;
                    if (pos + 1 >= d.Length) { pos = d.Length; break; }
                    var code = d[pos + 1];
                    if (code == 0x00 || code == 0xFF || code is >= 0xD0 and <= 0xD7) { pos += 1; continue; }
                    break; // a real marker: the next segment (DHT, SOS of a progressive scan, EOI...)
                }
            }
        }
        if (!sawFrame) throw Truncated("JPEG", "before the frame header (SOF)");
        if (requireComplete) throw Truncated("JPEG", "before the end-of-image marker");
        return Checked(ImageFormat.Jpeg, width, height, orientation, maxPixels);
    }

    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    private static bool IsStartOfFrame(byte marker) => marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC;

    // ---- WebP: RIFF chunks VP8 (lossy), VP8L (lossless) or VP8X (extended, may carry EXIF) ------------------
    private static ImageInfo ParseWebP(ReadOnlySpan<byte> d, bool requireComplete, long maxPixels)
    {
        if (d.Length < 30) throw Truncated("WebP", "inside the first chunk header");
        var riffEnd = 8L + BinaryPrimitives.ReadUInt32LittleEndian(d[4..]);
        if (requireComplete && riffEnd > d.Length) throw Truncated("WebP", $"after {d.Length} of the {riffEnd} bytes its RIFF header announces");
        var first = d[12..16];
        uint width, height;
        if (first.SequenceEqual("VP8 "u8))
        {
            if (d[23] != 0x9D || d[24] != 0x01 || d[25] != 0x2A) throw new FormatException("damaged WebP: bad VP8 start code");
            width = BinaryPrimitives.ReadUInt16LittleEndian(d[26..]) & 0x3FFFu;
            height = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]) & 0x3FFFu;
        }
        else if (first.SequenceEqual("VP8L"u8))
        {
            if (d[20] != 0x2F) throw new FormatException("damaged WebP: bad VP8L signature");
            var bits = BinaryPrimitives.ReadUInt32LittleEndian(d[21..]);
            width = (bits & 0x3FFF) + 1;
            height = ((bits >> 14) & 0x3FFF) + 1;
        }
        else if (first.SequenceEqual("VP8X"u8))
        {
            width = (d[24] | (uint)d[25] << 8 | (uint)d[26] << 16) + 1;
            height = (d[27] | (uint)d[28] << 8 | (uint)d[29] << 16) + 1;
        }
        else throw new FormatException($"damaged WebP: unknown first chunk \"{System.Text.Encoding.ASCII.GetString(first)}\"");

        var orientation = 1;
        var exifFound = false;
        for (long pos = 12; pos + 8 <= Math.Min(riffEnd, d.Length);)
        {
            var size = BinaryPrimitives.ReadUInt32LittleEndian(d[((int)pos + 4)..]);
            if (d.Slice((int)pos, 4).SequenceEqual("EXIF"u8) && pos + 8 + size <= d.Length)
            {
                var exif = d.Slice((int)pos + 8, (int)size);
                if (exif.StartsWith("Exif\0\0"u8)) exif = exif[6..]; // some writers keep the JPEG APP1 prefix
                orientation = TiffOrientation(exif) ?? 1;
                exifFound = true;
                break;
            }
            pos += 8 + size + (size & 1); // chunks are padded to even sizes
        }
        // The EXIF chunk follows the image data; a header-only read of a prefix must not miss it.
        var exifFlagged = first.SequenceEqual("VP8X"u8) && (d[20] & 0x08) != 0;
        if (exifFlagged && !exifFound && riffEnd > d.Length) throw Truncated("WebP", "before its EXIF chunk");
        return Checked(ImageFormat.WebP, width, height, orientation, maxPixels);
    }

    // ---- BMP: the size is in the DIB header; the file must hold the pixel array it announces ----------------
    private static ImageInfo ParseBmp(ReadOnlySpan<byte> d, bool requireComplete, long maxPixels)
    {
        if (d.Length < 26) throw Truncated("BMP", "inside its header");
        var dibSize = BinaryPrimitives.ReadUInt32LittleEndian(d[14..]);
        long width, height;
        if (dibSize == 12)
        {
            width = BinaryPrimitives.ReadUInt16LittleEndian(d[18..]);
            height = BinaryPrimitives.ReadUInt16LittleEndian(d[20..]);
        }
        else
        {
            if (d.Length < 30) throw Truncated("BMP", "inside its header");
            width = BinaryPrimitives.ReadInt32LittleEndian(d[18..]);
            height = Math.Abs((long)BinaryPrimitives.ReadInt32LittleEndian(d[22..])); // negative = rows stored top-down
            // Uncompressed (BI_RGB / BI_BITFIELDS) pixel arrays have a known size: OpenCV would fill a cut-off tail silently.
            var bitsPerPixel = BinaryPrimitives.ReadUInt16LittleEndian(d[28..]);
            var compression = d.Length >= 34 ? BinaryPrimitives.ReadUInt32LittleEndian(d[30..]) : 0;
            var offset = BinaryPrimitives.ReadUInt32LittleEndian(d[10..]);
            if ((compression is 0 or 3) && width > 0 && bitsPerPixel > 0)
            {
                var rowBytes = (width * bitsPerPixel + 31) / 32 * 4;
                var needed = offset + rowBytes * height;
                if (requireComplete && needed > d.Length) throw Truncated("BMP", $"after {d.Length} bytes, but its pixel array reaches byte {needed}");
            }
        }
        if (width < 0) throw new FormatException($"damaged BMP: negative width {width}");
        return Checked(ImageFormat.Bmp, (uint)Math.Min(width, uint.MaxValue), (uint)Math.Min(height, uint.MaxValue), 1, maxPixels);
    }

    // ---- TIFF: ImageWidth (256), ImageLength (257), Orientation (274), ExtraSamples (338) from the first IFD -----------------
    private static ImageInfo ParseTiff(ReadOnlySpan<byte> d, long maxPixels)
    {
        var tags = ReadIfd0(d, 256, 257, 274, 338) ?? throw Truncated("TIFF", "before the end of its first image directory");
        if (tags[0] is not { } width || tags[1] is not { } height) throw new FormatException("damaged TIFF: the first directory has no ImageWidth/ImageLength");
        return Checked(ImageFormat.Tiff, width, height, ValidOrientation(tags[2]), maxPixels) with { DecoderPremultipliesAlpha = tags[3] is 1 or 2 };
    }

    /// <summary>The orientation tag of a TIFF-structured block (an EXIF payload is one), or null.</summary>
    internal static int? TiffOrientation(ReadOnlySpan<byte> tiff)
    {
        var tags = ReadIfd0(tiff, 274);
        return tags is null ? null : ValidOrientation(tags[0]);
    }

    // Out-of-range values are treated as "as stored", as viewers (and Pillow) do.
    private static int ValidOrientation(uint? tag) => tag is >= 1 and <= 8 ? (int)tag.Value : 1;

    /// <summary>SHORT/LONG values of the requested tags in IFD0 (null per absent tag), or null if the IFD is cut off.</summary>
    private static uint?[]? ReadIfd0(ReadOnlySpan<byte> d, params ushort[] wanted)
    {
        if (d.Length < 8) return null;
        bool little;
        if (d[0] == 'I' && d[1] == 'I') little = true;
        else if (d[0] == 'M' && d[1] == 'M') little = false;
        else return null;
        ushort U16(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s);
        uint U32(ReadOnlySpan<byte> s) => little ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s);

        var ifd = U32(d[4..]);
        if (ifd + 2L > d.Length) return null;
        int count = U16(d[(int)ifd..]);
        if (ifd + 2L + 12L * count > d.Length) return null;
        var values = new uint?[wanted.Length];
        for (var i = 0; i < count; i++)
        {
            var entry = d.Slice((int)ifd + 2 + 12 * i, 12);
            var index = Array.IndexOf(wanted, U16(entry));
            if (index < 0) continue;
            values[index] = U16(entry[2..]) switch
            {
                3 => U16(entry[8..]), // SHORT, left-justified in the value field
                4 => U32(entry[8..]), // LONG
                _ => null,
            };
        }
        return values;
    }

    private static ImageInfo Checked(ImageFormat format, uint width, uint height, int orientation, long maxPixels)
    {
        if (width == 0 || height == 0) throw new FormatException($"damaged {ImageIO.Name(format)} header: the image is {width}x{height}");
        var pixels = (long)width * height;
        if (pixels > maxPixels)
            throw new FormatException($"the {ImageIO.Name(format)} header claims {width}x{height} = {pixels:N0} pixels, more than the limit of {maxPixels:N0} " +
                                      "(ImageReadOptions.MaxPixels); refused before decoding as a possible decompression bomb");
        if (width > int.MaxValue || height > int.MaxValue) throw new FormatException($"damaged {ImageIO.Name(format)} header: the image claims to be {width}x{height}");
        return new ImageInfo(format, (int)width, (int)height, orientation);
    }
}
