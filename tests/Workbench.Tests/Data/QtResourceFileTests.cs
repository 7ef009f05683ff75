using System.Buffers.Binary;
using System.Text;

using Workbench.Data;

namespace Workbench.Tests.Data;

public sealed class QtResourceFileTests
{
    private static readonly byte[] Photo = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("not really a photo; ", 50)));

    private static QtResourceBundle.Entry[] Entries =>
    [
        new("images", "plain.bin", [1, 2, 3, 4, 5]),
        new("images", "packed.webp", Photo, Zlib: true),
        new("sounds", "ding.ogg", []),
    ];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void ListsAndReadsPlainAndZlibCompressedFiles(int version)
    {
        var bundle = QtResourceFile.FromBytes(QtResourceBundle.Write(Entries, version), "test.rcc");

        Assert.Equal(["/images/packed.webp", "/images/plain.bin", "/sounds/ding.ogg"], bundle.Files.Order(StringComparer.Ordinal));
        Assert.Equal([1, 2, 3, 4, 5], bundle.Read("/images/plain.bin"));
        Assert.Equal(Photo, bundle.Read("/images/packed.webp"));
        Assert.Empty(bundle.Read("/sounds/ding.ogg"));
        Assert.True(bundle.Contains("/images/plain.bin"));
        Assert.False(bundle.Contains("/images"));
    }

    [Fact]
    public void BadBundlesAreRefusedNamingTheFileAndTheProblem()
    {
        var good = QtResourceBundle.Write(Entries);

        var notQres = Assert.Throws<InvalidDataException>(() => QtResourceFile.FromBytes(Encoding.ASCII.GetBytes("RIFF....WEBPVP8 and more bytes"), "x.rcc"));
        Assert.Contains("x.rcc: not a Qt resource bundle", notQres.Message);

        var truncated = Assert.Throws<InvalidDataException>(() => QtResourceFile.FromBytes(good[..(good.Length - 20)], "cut.rcc").Read("/images/packed.webp"));
        Assert.Contains("cut.rcc: truncated", truncated.Message);

        var future = (byte[])good.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(future.AsSpan(4), 9);
        Assert.Contains("version 9", Assert.Throws<InvalidDataException>(() => QtResourceFile.FromBytes(future, "v9.rcc")).Message);

        var missing = Assert.Throws<FileNotFoundException>(() => QtResourceFile.FromBytes(good, "a.rcc").Read("/images/other.webp"));
        Assert.Contains("a.rcc: holds no resource '/images/other.webp'", missing.Message);
    }

    [Fact]
    public void ZstandardCompressedFilesAreRefusedNotMisread()
    {
        var bytes = QtResourceBundle.Write([new("images", "z.webp", [9, 9, 9])]);
        var tree = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(8));
        var fileNode = tree + 2 * 22; // root, folder, file
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(fileNode + 4), 0x04);
        var error = Assert.Throws<NotSupportedException>(() => QtResourceFile.FromBytes(bytes, "z.rcc").Read("/images/z.webp"));
        Assert.Contains("Zstandard", error.Message);
    }
}
