using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.Intrinsics;

namespace Workbench.Data;

/// <summary>zlib strategies for PNG (OpenCV's IMWRITE_PNG_STRATEGY_*, Pillow's compress_type).</summary>
public enum PngStrategy
{
    Default = 0,
    Filtered = 1,
    HuffmanOnly = 2,

    /// <summary>Run-length matches only: about twice as fast as Default at level 6 on photo crops, files about 3% larger.</summary>
    Rle = 3,
    Fixed = 4,
}

/// <summary>PNG scanline filters (the PNG specification's filter types).</summary>
public enum PngFilter : byte
{
    None = 0,
    Sub = 1,
    Up = 2,
    Paeth = 4,
}

/// <summary>
/// A fast writer for 8-bit PNG (gray, RGB, RGBA), used for dataset crops, where encoding is most of the work.
/// Two things make it about twice as fast per core as libpng through OpenCV at the same zlib level and strategy,
/// for files of the same size (256x256 photo crops, level 6, RLE: 2.4 vs 4.4 ms of CPU, 79 KB both): one fixed
/// filter per image, vectorized (Paeth by default, which is what libpng's adaptive choice mostly picks on
/// photos), and .NET's zlib-ng deflate in place of zlib.
/// The output is a standard PNG (IHDR, one IDAT, IEND; CRC-32 on every chunk) that any decoder reads.
/// Thread-safe: scratch buffers are per thread.
/// </summary>
public static class PngWriter
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    [ThreadStatic] private static byte[]? filteredScratch;
    [ThreadStatic] private static MemoryStream? deflateScratch;

    /// <summary>Encodes <paramref name="height"/> rows of <paramref name="width"/> pixels, <paramref name="rowStride"/> bytes apart.</summary>
    /// <param name="pixels">The first pixel of the image (or of a region of a larger one), channels interleaved.</param>
    /// <param name="channels">1 (gray), 3 (RGB) or 4 (RGBA).</param>
    /// <param name="rowStride">Bytes from one row to the next in <paramref name="pixels"/> (≥ width * channels).</param>
    /// <param name="level">zlib level 0..9.</param>
    /// <param name="strategy">zlib strategy.</param>
    /// <param name="filter">Scanline filter for every row (the first row uses Sub where Up or Paeth would see no row above).</param>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels, int rowStride, int level = 6, PngStrategy strategy = PngStrategy.Rle, PngFilter filter = PngFilter.Paeth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        if (channels is not (1 or 3 or 4)) throw new ArgumentOutOfRangeException(nameof(channels), channels, "PNG takes 1 (gray), 3 (RGB) or 4 (RGBA) channels here");
        var rowBytes = width * channels;
        ArgumentOutOfRangeException.ThrowIfLessThan(rowStride, rowBytes);
        if (pixels.Length < (long)(height - 1) * rowStride + rowBytes)
            throw new ArgumentException($"{pixels.Length} bytes cannot hold {height} rows of {rowBytes} bytes, {rowStride} apart", nameof(pixels));
        if (level is < 0 or > 9) throw new ArgumentOutOfRangeException(nameof(level), level, "zlib levels are 0..9");

        var filteredLength = height * (rowBytes + 1);
        var filtered = filteredScratch is { } f && f.Length >= filteredLength ? f : filteredScratch = new byte[filteredLength];
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * rowStride, rowBytes);
            var output = filtered.AsSpan(y * (rowBytes + 1), rowBytes + 1);
            var type = y == 0 && filter is PngFilter.Up or PngFilter.Paeth ? PngFilter.Sub : filter;
            output[0] = (byte)type;
            var above = y == 0 ? default : pixels.Slice((y - 1) * rowStride, rowBytes);
            switch (type)
            {
                case PngFilter.None: row.CopyTo(output[1..]); break;
                case PngFilter.Sub: Sub(row, output[1..], channels); break;
                case PngFilter.Up: Up(row, above, output[1..]); break;
                default: Paeth(row, above, output[1..], channels); break;
            }
        }

        var deflated = deflateScratch ??= new MemoryStream();
        deflated.SetLength(0);
        using (var zlib = new ZLibStream(deflated, new ZLibCompressionOptions { CompressionLevel = level, CompressionStrategy = ToZlib(strategy) }, leaveOpen: true))
            zlib.Write(filtered, 0, filteredLength);
        var idat = deflated.GetBuffer().AsSpan(0, (int)deflated.Length);

        var result = new byte[Signature.Length + (12 + 13) + (12 + idat.Length) + 12];
        var span = result.AsSpan();
        Signature.CopyTo(span);
        var at = Signature.Length;
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8; // bits per sample
        header[9] = channels switch { 1 => 0, 3 => 2, _ => 6 }; // gray, RGB, RGBA
        header[10] = header[11] = header[12] = 0; // deflate, adaptive filtering per row, no interlace
        at += WriteChunk(span[at..], "IHDR"u8, header);
        at += WriteChunk(span[at..], "IDAT"u8, idat);
        WriteChunk(span[at..], "IEND"u8, []);
        return result;
    }

    private static ZLibCompressionStrategy ToZlib(PngStrategy strategy) => strategy switch
    {
        PngStrategy.Default => ZLibCompressionStrategy.Default,
        PngStrategy.Filtered => ZLibCompressionStrategy.Filtered,
        PngStrategy.HuffmanOnly => ZLibCompressionStrategy.HuffmanOnly,
        PngStrategy.Rle => ZLibCompressionStrategy.RunLengthEncoding,
        PngStrategy.Fixed => ZLibCompressionStrategy.Fixed,
        _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "unknown PNG strategy"),
    };

    /// <summary>length, type, data, CRC-32 of type + data; returns the bytes written.</summary>
    private static int WriteChunk(Span<byte> destination, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteInt32BigEndian(destination, data.Length);
        type.CopyTo(destination[4..]);
        data.CopyTo(destination[8..]);
        var crc = Crc32.Compute(destination.Slice(4, 4 + data.Length));
        BinaryPrimitives.WriteUInt32BigEndian(destination[(8 + data.Length)..], crc);
        return 12 + data.Length;
    }

    // ---- filters: out = x - predictor, bytes wrapping; a = left, b = above, c = above-left (0 outside) ----

    internal static void Sub(ReadOnlySpan<byte> row, Span<byte> output, int bpp)
    {
        row[..bpp].CopyTo(output);
        var i = bpp;
        for (; i + Vector128<byte>.Count <= row.Length; i += Vector128<byte>.Count)
            (Vector128.Create(row.Slice(i, 16)) - Vector128.Create(row.Slice(i - bpp, 16))).CopyTo(output[i..]);
        for (; i < row.Length; i++) output[i] = (byte)(row[i] - row[i - bpp]);
    }

    internal static void Up(ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, Span<byte> output)
    {
        var i = 0;
        for (; i + Vector128<byte>.Count <= row.Length; i += Vector128<byte>.Count)
            (Vector128.Create(row.Slice(i, 16)) - Vector128.Create(above.Slice(i, 16))).CopyTo(output[i..]);
        for (; i < row.Length; i++) output[i] = (byte)(row[i] - above[i]);
    }

    /// <summary>
    /// Paeth: predict from whichever of a, b, c is closest to a + b - c (ties: a, then b). When encoding, all three
    /// are original pixels, so 16 bytes at a time go through 16-bit lanes with no dependency between them.
    /// </summary>
    internal static void Paeth(ReadOnlySpan<byte> row, ReadOnlySpan<byte> above, Span<byte> output, int bpp)
    {
        for (var k = 0; k < bpp; k++) output[k] = (byte)(row[k] - above[k]); // a = c = 0: the predictor is b
        var i = bpp;
        for (; i + Vector128<byte>.Count <= row.Length; i += Vector128<byte>.Count)
        {
            var x = Vector128.Create(row.Slice(i, 16));
            var (aLo, aHi) = Vector128.Widen(Vector128.Create(row.Slice(i - bpp, 16)));
            var (bLo, bHi) = Vector128.Widen(Vector128.Create(above.Slice(i, 16)));
            var (cLo, cHi) = Vector128.Widen(Vector128.Create(above.Slice(i - bpp, 16)));
            var predictor = Vector128.Narrow(
                Predict(aLo.AsInt16(), bLo.AsInt16(), cLo.AsInt16()).AsUInt16(),
                Predict(aHi.AsInt16(), bHi.AsInt16(), cHi.AsInt16()).AsUInt16());
            (x - predictor).CopyTo(output[i..]);
        }
        for (; i < row.Length; i++)
        {
            int a = row[i - bpp], b = above[i], c = above[i - bpp];
            int pa = Math.Abs(b - c), pb = Math.Abs(a - c), pc = Math.Abs(a + b - 2 * c);
            output[i] = (byte)(row[i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c));
        }
    }

    private static Vector128<short> Predict(Vector128<short> a, Vector128<short> b, Vector128<short> c)
    {
        // p = a + b - c; |p - a| = |b - c|, |p - b| = |a - c|, |p - c| = |a + b - 2c|.
        var pa = Vector128.Abs(b - c);
        var pb = Vector128.Abs(a - c);
        var pc = Vector128.Abs(a + b - c - c);
        var useA = Vector128.LessThanOrEqual(pa, pb) & Vector128.LessThanOrEqual(pa, pc);
        var useB = Vector128.LessThanOrEqual(pb, pc);
        return Vector128.ConditionalSelect(useA, a, Vector128.ConditionalSelect(useB, b, c));
    }

    /// <summary>CRC-32 (ISO-HDLC, the PNG and zlib one), slicing by 8.</summary>
    internal static class Crc32
    {
        private static readonly uint[] Table = Build();

        private static uint[] Build()
        {
            var table = new uint[8 * 256];
            for (uint n = 0; n < 256; n++)
            {
                var c = n;
                for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
                table[n] = c;
            }
            for (var n = 0; n < 256; n++)
                for (var s = 1; s < 8; s++)
                    table[s * 256 + n] = (table[(s - 1) * 256 + n] >> 8) ^ table[table[(s - 1) * 256 + n] & 0xFF];
            return table;
        }

        /// <summary>The register before any byte; <c>~register</c> after the last byte is the CRC.</summary>
        public const uint Start = 0xFFFFFFFFu;

        public static uint Compute(ReadOnlySpan<byte> data) => ~Update(Start, data);

        /// <summary>The register after <paramref name="data"/>, for a CRC computed piece by piece (a streamed chunk).</summary>
        public static uint Update(uint crc, ReadOnlySpan<byte> data)
        {
            var t = Table;
            while (data.Length >= 8)
            {
                var one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
                var two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
                crc = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
                    ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
                data = data[8..];
            }
            foreach (var b in data) crc = t[(crc ^ b) & 0xFF] ^ (crc >> 8);
            return crc;
        }
    }
}
