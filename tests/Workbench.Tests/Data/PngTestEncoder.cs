using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using Workbench.Data;

namespace Workbench.Tests.Data;

/// <summary>
/// Writes PNGs of every colour type and bit depth, each row with the next of the five filters in turn, the image data
/// split over several IDAT chunks: files that exercise a decoder where Workbench's own writers (which pick four filters,
/// gray/RGB/RGBA only) do not. Interlaced files are written with every pass of Adam7.
/// </summary>
internal static class PngTestEncoder
{
    /// <summary>
    /// <paramref name="raw"/>: the rows' bytes as PNG stores them before filtering (packed for 1/2/4 bits, big-endian
    /// for 16), <c>height</c> rows of <c>RowBytes</c> each.
    /// </summary>
    public static byte[] Encode(int width, int height, int bitDepth, int colorType, byte[] raw, byte[]? palette = null, byte[]? trns = null,
        bool interlaced = false, int idatBytes = 97)
    {
        var data = new MemoryStream();
        data.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9], header[12]) = ((byte)bitDepth, (byte)colorType, (byte)(interlaced ? 1 : 0));
        Chunk(data, "IHDR", header);
        Chunk(data, "tEXt", Encoding.ASCII.GetBytes("Comment\0ancillary chunks are skipped"));
        if (palette is not null) Chunk(data, "PLTE", palette);
        if (trns is not null) Chunk(data, "tRNS", trns);
        var filtered = new MemoryStream();
        using (var zlib = new ZLibStream(filtered, CompressionLevel.Optimal, leaveOpen: true))
        {
            var bits = bitDepth * Samples(colorType);
            var bpp = Math.Max(1, bits / 8);
            var rowBytes = (width * bits + 7) / 8;
            if (!interlaced) FilterRows(zlib, raw, rowBytes, height, bpp, 0);
            else
            {
                var filter = 0;
                foreach (var (x0, y0, dx, dy) in Adam7)
                {
                    var (pw, ph) = ((width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy);
                    if (pw <= 0 || ph <= 0) continue;
                    var passRowBytes = (pw * bits + 7) / 8;
                    var pass = new byte[passRowBytes * ph];
                    for (var y = 0; y < ph; y++)
                        for (var x = 0; x < pw; x++)
                            CopyPixel(raw.AsSpan((y0 + y * dy) * rowBytes), x0 + x * dx, pass.AsSpan(y * passRowBytes), x, bits);
                    filter = FilterRows(zlib, pass, passRowBytes, ph, bpp, filter);
                }
            }
        }
        var compressed = filtered.ToArray();
        for (var i = 0; i < compressed.Length; i += idatBytes) Chunk(data, "IDAT", compressed.AsSpan(i, Math.Min(idatBytes, compressed.Length - i)));
        Chunk(data, "IEND", []);
        return data.ToArray();
    }

    public static int Samples(int colorType) => colorType switch { 0 or 3 => 1, 2 => 3, 4 => 2, _ => 4 };

    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    private static void CopyPixel(ReadOnlySpan<byte> from, int fx, Span<byte> to, int tx, int bits)
    {
        if (bits >= 8)
        {
            from.Slice(fx * bits / 8, bits / 8).CopyTo(to.Slice(tx * bits / 8));
            return;
        }
        var perByte = 8 / bits;
        var value = (from[fx / perByte] >> (8 - bits * (fx % perByte + 1))) & ((1 << bits) - 1);
        to[tx / perByte] |= (byte)(value << (8 - bits * (tx % perByte + 1)));
    }

    /// <summary>Filters rows with None, Sub, Up, Average, Paeth in turn, from <paramref name="firstFilter"/>; returns the next filter.</summary>
    private static int FilterRows(Stream output, byte[] raw, int rowBytes, int height, int bpp, int firstFilter)
    {
        var filter = firstFilter;
        var above = new byte[rowBytes];
        for (var y = 0; y < height; y++, filter = (filter + 1) % 5)
        {
            var row = raw.AsSpan(y * rowBytes, rowBytes);
            var line = new byte[rowBytes + 1];
            line[0] = (byte)filter;
            for (var i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = above[i], c = i >= bpp ? above[i - bpp] : 0;
                var predicted = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) >> 1,
                    _ => Paeth(a, b, c),
                };
                line[i + 1] = (byte)(row[i] - predicted);
            }
            output.Write(line);
            row.CopyTo(above);
        }
        return filter;
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream output, string type, ReadOnlySpan<byte> payload)
    {
        var chunk = new byte[payload.Length + 12];
        BinaryPrimitives.WriteInt32BigEndian(chunk, payload.Length);
        Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
        payload.CopyTo(chunk.AsSpan(8));
        BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + payload.Length), PngWriter.Crc32.Compute(chunk.AsSpan(4, payload.Length + 4)));
        output.Write(chunk);
    }
}
