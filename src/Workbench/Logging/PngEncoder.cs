using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workbench.Logging;

/// <summary>
/// A minimal PNG encoder (8-bit gray, RGB or RGBA; no filtering, one zlib IDAT chunk): enough for
/// TensorBoard images without an imaging library.
/// </summary>
public static class PngEncoder
{
    private static readonly byte[] Signature = { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A };
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>
    /// Encodes interleaved 8-bit pixels (row-major, <paramref name="channels"/> bytes per pixel:
    /// 1 gray, 3 RGB, 4 RGBA) as a PNG file.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels = 3)
    {
        var colorType = channels switch
        {
            1 => (byte)0,
            3 => (byte)2,
            4 => (byte)6,
            _ => throw new ArgumentException($"PNG needs 1, 3 or 4 channels, got {channels}", nameof(channels)),
        };
        if (width <= 0 || height <= 0) throw new ArgumentException($"image size {width}x{height} is empty");
        var stride = checked(width * channels);
        if (pixels.Length != checked(stride * height)) throw new ArgumentException($"{width}x{height}x{channels} needs {stride * height} bytes, got {pixels.Length}", nameof(pixels));

        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;          // bits per sample
        ihdr[9] = colorType;  // compression, filter method and interlace stay 0

        using var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                z.WriteByte(0);  // filter type None for every scanline
                z.Write(pixels.Slice(y * stride, stride));
            }
        }

        using var png = new MemoryStream();
        png.Write(Signature);
        WriteChunk(png, "IHDR", ihdr);
        WriteChunk(png, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(png, "IEND", ReadOnlySpan<byte>.Empty);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(head, data.Length);
        Encoding.ASCII.GetBytes(type, head[4..]);
        png.Write(head);
        png.Write(data);
        var crc = Crc32(uint.MaxValue, head[4..]);  // the chunk CRC covers type and data, not the length
        crc = ~Crc32(crc, data);
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(tail, crc);
        png.Write(tail);
    }

    /// <summary>The zlib/PNG CRC-32 (polynomial 0xEDB88320), continued from <paramref name="crc"/>.</summary>
    internal static uint Crc32(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data) crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
