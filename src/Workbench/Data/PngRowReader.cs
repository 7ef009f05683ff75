using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workbench.Data;

/// <summary>
/// Decodes a non-interlaced PNG one row at a time, with the samples <see cref="ImageSamples"/> gives (OpenCV 4.6's
/// <c>IMREAD_UNCHANGED</c> through libpng, in RGB order): gray stays one channel (1/2/4-bit scaled to 8, tRNS ignored),
/// RGB three or, with a tRNS colour, four; a palette is expanded to RGB (RGBA with tRNS); gray + alpha becomes RGBA.
/// 16-bit files give 16-bit samples. The IDAT chunks are inflated as one zlib stream and each row's filter is undone
/// against the row above, so only two rows of the file are held. <see cref="TryOpen"/> declines what it does not
/// stream (interlaced files, unknown critical chunks) so that the caller decodes those whole instead.
/// </summary>
internal sealed class PngRowReader : IDisposable
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string path;
    private readonly Stream file;
    private readonly ZLibStream zlib;
    private readonly int bitDepth, colorType, filterBpp, rawBytes;
    private readonly byte[]? palette;      // 256 RGB triplets; entries past PLTE are black, as libpng pads them
    private readonly byte[]? paletteAlpha; // 256 alphas; 255 past tRNS
    private readonly ushort[]? transparent; // tRNS colour of an RGB file
    private byte[] above, current;

    private PngRowReader(string path, Stream file, PngHeader header, byte[]? palette, byte[]? paletteAlpha, ushort[]? transparent)
    {
        (this.path, this.file, this.palette, this.paletteAlpha, this.transparent) = (path, file, palette, paletteAlpha, transparent);
        (Width, Height, bitDepth, colorType) = (header.Width, header.Height, header.BitDepth, header.ColorType);
        var samplesPerPixel = colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };
        filterBpp = Math.Max(1, samplesPerPixel * bitDepth / 8);
        rawBytes = checked((int)(((long)Width * samplesPerPixel * bitDepth + 7) / 8));
        (above, current) = (new byte[rawBytes], new byte[rawBytes]);
        Channels = colorType switch
        {
            0 => 1,
            2 => transparent is null ? 3 : 4,
            3 => paletteAlpha is null ? 3 : 4,
            _ => 4,
        };
        zlib = new ZLibStream(new IdatStream(file, path), CompressionMode.Decompress);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>1 (gray), 3 (RGB) or 4 (RGBA), as <see cref="ImageSamples"/> gives them.</summary>
    public int Channels { get; }

    /// <summary>16-bit samples (read as int32), else 8-bit.</summary>
    public bool Sixteen => bitDepth == 16;

    /// <summary>Rows decoded so far.</summary>
    public int RowsRead { get; private set; }

    private ImageDecodeException Error(string problem, Exception? inner = null) => new(path, $"PNG: {problem}", inner);

    /// <summary>
    /// Opens <paramref name="path"/> for streaming when it is a PNG this reader decodes; null (with the reason in
    /// <paramref name="declined"/>) when it is not a PNG or is one to decode whole (interlaced, an unknown critical chunk).
    /// </summary>
    /// <exception cref="ImageDecodeException">A PNG whose header is corrupt or larger than <paramref name="maxPixels"/>.</exception>
    public static PngRowReader? TryOpen(string path, out string? declined, long maxPixels = ImageReadOptions.DefaultMaxPixels)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        try
        {
            var reader = Open(path, file, maxPixels, out declined);
            if (reader is null) file.Dispose();
            return reader;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static PngRowReader? Open(string path, Stream file, long maxPixels, out string? declined)
    {
        Span<byte> signature = stackalloc byte[8];
        if (file.ReadAtLeast(signature, 8, throwOnEndOfStream: false) < 8 || !signature.SequenceEqual(Signature))
        {
            declined = "not a PNG";
            return null;
        }
        PngHeader? header = null;
        byte[]? palette = null, paletteAlpha = null;
        ushort[]? transparent = null;
        byte[]? trns = null;
        while (true)
        {
            var (type, length) = ReadChunkHeader(file, path);
            if (header is null && type != "IHDR") throw new ImageDecodeException(path, $"PNG: the first chunk is {type}, not IHDR");
            if (type == "IDAT")
            {
                file.Seek(-8, SeekOrigin.Current); // IdatStream reads from the chunk header
                break;
            }
            if (type == "IEND") throw new ImageDecodeException(path, "PNG: no IDAT chunk (no image data)");
            var critical = char.IsUpper(type[0]);
            if (critical && type is not ("IHDR" or "PLTE"))
            {
                declined = $"an unknown critical chunk {type}";
                return null;
            }
            if (type is not ("IHDR" or "PLTE" or "tRNS"))
            {
                file.Seek(length + 4L, SeekOrigin.Current);
                continue;
            }
            var data = ReadChunkData(file, path, type, length, out var crcValid);
            if (!crcValid)
            {
                if (critical) throw new ImageDecodeException(path, $"PNG: the {type} chunk's CRC does not match (corrupt file)");
                continue; // libpng drops an ancillary chunk with a bad CRC
            }
            switch (type)
            {
                case "IHDR":
                    header = PngHeader.Parse(data, path);
                    if ((long)header.Width * header.Height > maxPixels)
                        throw new ImageDecodeException(path, $"PNG: {header.Width}x{header.Height} is more than the {maxPixels} pixels allowed");
                    if (header.Interlaced)
                    {
                        declined = "interlaced (Adam7)";
                        return null;
                    }
                    break;
                case "PLTE":
                    if (data.Length % 3 != 0 || data.Length == 0 || data.Length > 768)
                        throw new ImageDecodeException(path, $"PNG: a PLTE chunk of {data.Length} bytes (1 to 256 RGB entries expected)");
                    palette = new byte[768];
                    data.CopyTo(palette, 0);
                    break;
                case "tRNS":
                    trns = data;
                    break;
            }
        }
        if (header!.ColorType == 3 && palette is null) throw new ImageDecodeException(path, "PNG: a palette image without a PLTE chunk");
        // libpng ignores a tRNS of the wrong size for its colour type; OpenCV then sees no transparency.
        if (trns is not null && header.ColorType == 3 && trns.Length <= (palette?.Length ?? 0) / 3)
        {
            paletteAlpha = new byte[256];
            Array.Fill(paletteAlpha, (byte)255);
            trns.CopyTo(paletteAlpha, 0);
        }
        if (trns is { Length: 6 } && header.ColorType == 2)
            transparent = [BinaryPrimitives.ReadUInt16BigEndian(trns), BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(2)), BinaryPrimitives.ReadUInt16BigEndian(trns.AsSpan(4))];
        declined = null;
        return new PngRowReader(path, file, header, palette, paletteAlpha, transparent);
    }

    private static (string Type, long Length) ReadChunkHeader(Stream file, string path)
    {
        Span<byte> head = stackalloc byte[8];
        if (file.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8) throw new ImageDecodeException(path, "PNG: the file ends inside its chunks (truncated)");
        var length = BinaryPrimitives.ReadUInt32BigEndian(head);
        if (length > int.MaxValue) throw new ImageDecodeException(path, $"PNG: a chunk declares {length} bytes");
        return (Encoding.ASCII.GetString(head[4..]), length);
    }

    private static byte[] ReadChunkData(Stream file, string path, string type, long length, out bool crcValid)
    {
        if (length > file.Length - file.Position) throw new ImageDecodeException(path, $"PNG: the {type} chunk declares {length} bytes, more than the file has left");
        var data = new byte[length + 4];
        Encoding.ASCII.GetBytes(type, data);
        file.ReadExactly(data.AsSpan(4, (int)length));
        Span<byte> crc = stackalloc byte[4];
        if (file.ReadAtLeast(crc, 4, throwOnEndOfStream: false) < 4) throw new ImageDecodeException(path, "PNG: the file ends inside its chunks (truncated)");
        crcValid = PngWriter.Crc32.Compute(data) == BinaryPrimitives.ReadUInt32BigEndian(crc);
        return data[4..];
    }

    /// <summary>The next row's samples: (Width · Channels) bytes for an 8-bit file.</summary>
    public void ReadRow(Span<byte> samples)
    {
        if (Sixteen) throw new InvalidOperationException("a 16-bit file's rows are read as int32");
        var raw = NextRawRow();
        Expand8(raw, samples);
    }

    /// <summary>The next row's samples: (Width · Channels) values 0..65535 for a 16-bit file.</summary>
    public void ReadRow(Span<int> samples)
    {
        if (!Sixteen) throw new InvalidOperationException("an 8-bit file's rows are read as bytes");
        var raw = NextRawRow();
        var perPixel = colorType switch { 0 => 1, 2 => 3, 4 => 2, _ => 4 };
        for (var x = 0; x < Width; x++)
        {
            var p = x * perPixel * 2;
            int S(ReadOnlySpan<byte> row, int i) => BinaryPrimitives.ReadUInt16BigEndian(row[(p + 2 * i)..]);
            switch (colorType)
            {
                case 0:
                    samples[x] = S(raw, 0);
                    break;
                case 2:
                    (samples[x * Channels], samples[x * Channels + 1], samples[x * Channels + 2]) = (S(raw, 0), S(raw, 1), S(raw, 2));
                    if (transparent is not null)
                        samples[x * 4 + 3] = S(raw, 0) == transparent[0] && S(raw, 1) == transparent[1] && S(raw, 2) == transparent[2] ? 0 : 65535;
                    break;
                case 4:
                    (samples[x * 4], samples[x * 4 + 1], samples[x * 4 + 2], samples[x * 4 + 3]) = (S(raw, 0), S(raw, 0), S(raw, 0), S(raw, 1));
                    break;
                default:
                    (samples[x * 4], samples[x * 4 + 1], samples[x * 4 + 2], samples[x * 4 + 3]) = (S(raw, 0), S(raw, 1), S(raw, 2), S(raw, 3));
                    break;
            }
        }
    }

    private void Expand8(ReadOnlySpan<byte> raw, Span<byte> samples)
    {
        switch (colorType)
        {
            case 0 when bitDepth == 8:
            case 2 when transparent is null:
            case 6:
                raw.CopyTo(samples);
                break;
            case 0:
                for (var x = 0; x < Width; x++) samples[x] = (byte)(Packed(raw, x) * 255 / ((1 << bitDepth) - 1)); // libpng's expand to 8 bits
                break;
            case 2:
                // libpng compares 8-bit samples with the tRNS colour's low bytes.
                var (r, g, b) = ((byte)transparent![0], (byte)transparent[1], (byte)transparent[2]);
                for (var x = 0; x < Width; x++)
                {
                    var (pr, pg, pb) = (raw[3 * x], raw[3 * x + 1], raw[3 * x + 2]);
                    (samples[4 * x], samples[4 * x + 1], samples[4 * x + 2]) = (pr, pg, pb);
                    samples[4 * x + 3] = pr == r && pg == g && pb == b ? (byte)0 : (byte)255;
                }
                break;
            case 3:
                for (var x = 0; x < Width; x++)
                {
                    var index = bitDepth == 8 ? raw[x] : Packed(raw, x);
                    var o = x * Channels;
                    (samples[o], samples[o + 1], samples[o + 2]) = (palette![3 * index], palette[3 * index + 1], palette[3 * index + 2]);
                    if (paletteAlpha is not null) samples[o + 3] = paletteAlpha[index];
                }
                break;
            default: // gray + alpha
                for (var x = 0; x < Width; x++)
                    (samples[4 * x], samples[4 * x + 1], samples[4 * x + 2], samples[4 * x + 3]) = (raw[2 * x], raw[2 * x], raw[2 * x], raw[2 * x + 1]);
                break;
        }
    }

    /// <summary>Pixel <paramref name="x"/> of a 1/2/4-bit row (most significant bits first).</summary>
    private int Packed(ReadOnlySpan<byte> raw, int x)
    {
        var perByte = 8 / bitDepth;
        var shift = 8 - bitDepth * (x % perByte + 1);
        return (raw[x / perByte] >> shift) & ((1 << bitDepth) - 1);
    }

    /// <summary>Inflates the next row and undoes its filter against the row above (zeros above the first row).</summary>
    private ReadOnlySpan<byte> NextRawRow()
    {
        if (RowsRead >= Height) throw new InvalidOperationException($"'{path}' has {Height} rows; all were read");
        (above, current) = (current, above);
        Span<byte> filter = stackalloc byte[1];
        try
        {
            if (zlib.ReadAtLeast(filter, 1, throwOnEndOfStream: false) < 1 || zlib.ReadAtLeast(current, rawBytes, throwOnEndOfStream: false) < rawBytes)
                throw Error($"the image data ends at row {RowsRead} of {Height} (truncated)");
        }
        catch (InvalidDataException e)
        {
            throw Error($"the image data is corrupt at row {RowsRead} of {Height}: {e.Message}", e);
        }
        var row = current.AsSpan();
        ReadOnlySpan<byte> prior = RowsRead == 0 ? new byte[rawBytes] : above;
        var bpp = filterBpp;
        switch (filter[0])
        {
            case 0:
                break;
            case 1:
                for (var i = bpp; i < row.Length; i++) row[i] += row[i - bpp];
                break;
            case 2:
                for (var i = 0; i < row.Length; i++) row[i] += prior[i];
                break;
            case 3:
                for (var i = 0; i < row.Length; i++) row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + prior[i]) >> 1);
                break;
            case 4:
                for (var i = 0; i < row.Length; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = prior[i], c = i >= bpp ? prior[i - bpp] : 0;
                    int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
                    row[i] += (byte)(pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
                }
                break;
            default:
                throw Error($"row {RowsRead} has filter type {filter[0]} (0 to 4 exist)");
        }
        RowsRead++;
        return row;
    }

    public void Dispose()
    {
        zlib.Dispose();
        file.Dispose();
    }

    /// <summary>IHDR's fields, checked as libpng checks them.</summary>
    private sealed record PngHeader(int Width, int Height, int BitDepth, int ColorType, bool Interlaced)
    {
        public static PngHeader Parse(byte[] d, string path)
        {
            if (d.Length != 13) throw new ImageDecodeException(path, $"PNG: an IHDR chunk of {d.Length} bytes (13 expected)");
            var (w, h) = (BinaryPrimitives.ReadUInt32BigEndian(d), BinaryPrimitives.ReadUInt32BigEndian(d.AsSpan(4)));
            if (w is 0 or > int.MaxValue || h is 0 or > int.MaxValue) throw new ImageDecodeException(path, $"PNG: an image of {w}x{h} pixels");
            var (depth, color) = (d[8], d[9]);
            var valid = color switch
            {
                0 => depth is 1 or 2 or 4 or 8 or 16,
                3 => depth is 1 or 2 or 4 or 8,
                2 or 4 or 6 => depth is 8 or 16,
                _ => false,
            };
            if (!valid) throw new ImageDecodeException(path, $"PNG: colour type {color} with bit depth {depth} does not exist");
            if (d[10] != 0 || d[11] != 0 || d[12] > 1) throw new ImageDecodeException(path, $"PNG: compression {d[10]}, filter method {d[11]}, interlace {d[12]} (0, 0 and 0 or 1 exist)");
            return new PngHeader((int)w, (int)h, depth, color, d[12] == 1);
        }
    }

    /// <summary>The payloads of consecutive IDAT chunks as one stream, each chunk's CRC checked as it ends.</summary>
    private sealed class IdatStream(Stream file, string path) : Stream
    {
        private long left = -1; // bytes left in the current chunk; -1 before the first
        private uint crc;
        private bool ended;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            while (!ended && left <= 0)
            {
                if (left == 0) FinishChunk();
                var (type, length) = ReadChunkHeader(file, path);
                if (type != "IDAT")
                {
                    ended = true;
                    break;
                }
                left = length;
                crc = PngWriter.Crc32.Update(PngWriter.Crc32.Start, "IDAT"u8);
            }
            if (ended || buffer.Length == 0) return 0;
            var n = file.Read(buffer[..(int)Math.Min(buffer.Length, left)]);
            if (n <= 0) throw new ImageDecodeException(path, "PNG: the file ends inside an IDAT chunk (truncated)");
            crc = PngWriter.Crc32.Update(crc, buffer[..n]);
            left -= n;
            return n;
        }

        private void FinishChunk()
        {
            Span<byte> stored = stackalloc byte[4];
            if (file.ReadAtLeast(stored, 4, throwOnEndOfStream: false) < 4) throw new ImageDecodeException(path, "PNG: the file ends inside an IDAT chunk (truncated)");
            if (~crc != BinaryPrimitives.ReadUInt32BigEndian(stored)) throw new ImageDecodeException(path, "PNG: an IDAT chunk's CRC does not match (corrupt file)");
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
