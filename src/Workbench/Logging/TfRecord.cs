using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Workbench.Logging;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files: each record is
/// uint64 length | masked CRC32C(length) | data | masked CRC32C(data), all little-endian.
/// </summary>
public static class TfRecord
{
    /// <summary>CRC32C (Castagnoli) of <paramref name="data"/>, with the usual ~0 start and final inversion.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        var crc = uint.MaxValue;
        var words = MemoryMarshal.Cast<byte, ulong>(data);
        // BitOperations.Crc32C consumes integers in little-endian byte order, which is the file's order only there.
        if (BitConverter.IsLittleEndian)
        {
            foreach (var w in words) crc = BitOperations.Crc32C(crc, w);
            data = data[(words.Length * sizeof(ulong))..];
        }
        foreach (var b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>
    /// The CRC as stored in a record. TensorFlow rotates and offsets it so that a CRC computed over data
    /// that itself holds CRCs does not degenerate.
    /// </summary>
    public static uint MaskedCrc32C(ReadOnlySpan<byte> data)
    {
        var crc = Crc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u);
    }

    /// <summary>Appends one framed record to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc32C(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc32C(data));
        stream.Write(header);
        stream.Write(data);
        stream.Write(footer);
    }
}
