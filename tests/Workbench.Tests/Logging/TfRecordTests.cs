using System.Buffers.Binary;
using System.Text;

using Workbench.Logging;

namespace Workbench.Tests.Logging;

public sealed class TfRecordTests
{
    [Fact]
    public void Crc32CMatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, TfRecord.Crc32C(Encoding.ASCII.GetBytes("123456789")));

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(29)]
    public void Crc32CAgreesWithABitwiseDefinitionForAnyLength(int length)
    {
        var data = Enumerable.Range(0, length).Select(i => (byte)(i * 37 + 11)).ToArray();
        var crc = uint.MaxValue;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
        }
        Assert.Equal(~crc, TfRecord.Crc32C(data));
    }

    [Fact]
    public void MaskRotatesAndOffsetsTheCrc()
    {
        var data = Encoding.ASCII.GetBytes("123456789");
        const uint crc = 0xE3069283u;
        Assert.Equal(unchecked(((crc >> 15) | (crc << 17)) + 0xa282ead8u), TfRecord.MaskedCrc32C(data));
    }

    [Fact]
    public void RecordIsLengthCrcDataCrc()
    {
        var data = Encoding.UTF8.GetBytes("event bytes");
        using var stream = new MemoryStream();
        TfRecord.Write(stream, data);
        var bytes = stream.ToArray();
        Assert.Equal(16 + data.Length, bytes.Length);
        Assert.Equal((ulong)data.Length, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(TfRecord.MaskedCrc32C(bytes.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(data, bytes.AsSpan(12, data.Length).ToArray());
        Assert.Equal(TfRecord.MaskedCrc32C(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12 + data.Length)));
    }
}
