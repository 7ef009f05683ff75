using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using Workbench.Data;

namespace Workbench.Tests.Data;

// PngWriter is the one PNG encoder (dataset crops, TensorBoard images). PIL decodes its files in SummaryWriterTests (via
// tfevents_reader.py) and PngWriterTests; here the layout is checked byte by byte.
public sealed class PngChunkLayoutTests
{
    [Theory]
    [InlineData(1, 0)]
    [InlineData(3, 2)]
    [InlineData(4, 6)]
    public void WritesSignatureHeaderAndScanlinesUnfilteredWhenAsked(int channels, int colorType)
    {
        const int width = 5, height = 3;
        var pixels = Enumerable.Range(0, width * height * channels).Select(i => (byte)(i * 13)).ToArray();
        var png = PngWriter.Encode(pixels, width, height, channels, width * channels, filter: PngFilter.None);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var chunks = Chunks(png);
        Assert.Equal(new[] { "IHDR", "IDAT", "IEND" }, chunks.Select(c => c.type).ToArray());
        var ihdr = chunks[0].data;
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(ihdr));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(ihdr.AsSpan(4)));
        Assert.Equal(new byte[] { 8, (byte)colorType, 0, 0, 0 }, ihdr[8..]);

        using var inflated = new MemoryStream();
        using (var z = new ZLibStream(new MemoryStream(chunks[1].data), CompressionMode.Decompress)) z.CopyTo(inflated);
        var raw = inflated.ToArray();
        var stride = width * channels;
        Assert.Equal(height * (stride + 1), raw.Length);
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(0, raw[y * (stride + 1)]);
            Assert.Equal(pixels.AsSpan(y * stride, stride).ToArray(), raw.AsSpan(y * (stride + 1) + 1, stride).ToArray());
        }
    }

    [Fact]
    public void ChunkCrcIsTheZlibCrc32OfTypeAndData()
    {
        var png = PngWriter.Encode(new byte[] { 1, 2, 3 }, 1, 1, 3, 3);
        // IEND's CRC is the same in every PNG file.
        Assert.Equal(new byte[] { 0xAE, 0x42, 0x60, 0x82 }, png[^4..]);
        Assert.Equal(0xCBF43926u, PngWriter.Crc32.Compute(Encoding.ASCII.GetBytes("123456789")));
    }

    [Fact]
    public void RejectsBadSizes()
    {
        Assert.ThrowsAny<ArgumentException>(() => PngWriter.Encode(new byte[6], 1, 1, 2, 2));
        Assert.ThrowsAny<ArgumentException>(() => PngWriter.Encode(new byte[5], 1, 2, 3, 3));
        Assert.ThrowsAny<ArgumentException>(() => PngWriter.Encode(Array.Empty<byte>(), 0, 0, 3, 0));
    }

    private static List<(string type, byte[] data)> Chunks(byte[] png)
    {
        var chunks = new List<(string, byte[])>();
        for (var pos = 8; pos < png.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(pos));
            var type = Encoding.ASCII.GetString(png, pos + 4, 4);
            var data = png.AsSpan(pos + 8, length).ToArray();
            var crc = PngWriter.Crc32.Compute(png.AsSpan(pos + 4, 4 + length));
            Assert.Equal(crc, BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(pos + 8 + length)));
            chunks.Add((type, data));
            pos += 12 + length;
        }
        return chunks;
    }
}
