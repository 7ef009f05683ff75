using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workbench.Data;

/// <summary>
/// Reads a compiled Qt resource bundle (<c>.rcc</c>, the "qres" format, versions 1–3): some packages ship their
/// images packed in these (GCompris ships its photographs so). Layout, all integers big-endian: a header ("qres",
/// version, offsets of the tree, data and names sections); a tree of fixed-size nodes (name offset, flags, then either
/// a directory's child count and first child index or a file's locale and data offset; versions ≥ 2 add a 64-bit
/// modification time); names as UTF-16 with a length and a hash; data as a length and the bytes, which a
/// zlib-compressed file starts with its uncompressed length. Zstandard-compressed files are refused with an error.
/// </summary>
public sealed class QtResourceFile
{
    private const ushort Compressed = 0x01, Directory = 0x02, CompressedZstd = 0x04;

    private readonly byte[] bytes;
    private readonly string name;
    private readonly int tree, data, names, nodeSize;
    private readonly Dictionary<string, (int Offset, ushort Flags)> files = new(StringComparer.Ordinal);

    private QtResourceFile(byte[] bytes, string name)
    {
        this.bytes = bytes;
        this.name = name;
        if (bytes.Length < 20 || !bytes.AsSpan(0, 4).SequenceEqual("qres"u8))
            throw new InvalidDataException($"{name}: not a Qt resource bundle (no 'qres' header)");
        var version = UInt32(4);
        if (version is < 1 or > 3) throw new InvalidDataException($"{name}: Qt resource format version {version} is not supported (1–3 are)");
        (tree, data, names) = (Offset(8), Offset(12), Offset(16));
        nodeSize = version >= 2 ? 22 : 14;
        Walk(0, "", depth: 0);
    }

    /// <summary>Reads the bundle at <paramref name="path"/>.</summary>
    public static QtResourceFile Open(string path) => new(File.ReadAllBytes(path), path);

    /// <summary>Reads a bundle held in memory; <paramref name="nameForErrors"/> names it in error messages.</summary>
    public static QtResourceFile FromBytes(byte[] bytes, string nameForErrors) => new(bytes, nameForErrors);

    /// <summary>The files' resource paths (<c>/folder/file.ext</c>), in the bundle's order.</summary>
    public IReadOnlyCollection<string> Files => files.Keys;

    public bool Contains(string resourcePath) => files.ContainsKey(resourcePath);

    /// <summary>The (uncompressed) content of the file at <paramref name="resourcePath"/>.</summary>
    public byte[] Read(string resourcePath)
    {
        if (!files.TryGetValue(resourcePath, out var file)) throw new FileNotFoundException($"{name}: holds no resource '{resourcePath}'");
        var start = data + file.Offset;
        var length = UInt32(start);
        Check(length, start + 4, $"the data of '{resourcePath}'");
        var content = bytes.AsSpan(start + 4, (int)length);
        if ((file.Flags & CompressedZstd) != 0)
            throw new NotSupportedException($"{name}: '{resourcePath}' is Zstandard-compressed, which this reader does not decode");
        if ((file.Flags & Compressed) == 0) return content.ToArray();
        if (content.Length < 4) throw new InvalidDataException($"{name}: '{resourcePath}' is compressed but holds {content.Length} bytes");
        var expected = BinaryPrimitives.ReadUInt32BigEndian(content);
        using var input = new ZLibStream(new MemoryStream(bytes, start + 8, content.Length - 4, writable: false), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        if (output.Length != expected)
            throw new InvalidDataException($"{name}: '{resourcePath}' inflates to {output.Length} bytes, its header says {expected}");
        return output.ToArray();
    }

    private void Walk(int index, string path, int depth)
    {
        if (depth > 64) throw new InvalidDataException($"{name}: the resource tree nests deeper than 64 levels (a cycle?)");
        var node = tree + index * nodeSize;
        Check(nodeSize, node, $"tree node {index}");
        var flags = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(node + 4));
        var here = index == 0 ? "" : path + "/" + Name(Offset(node));
        if ((flags & Directory) != 0)
        {
            var (count, first) = (Offset(node + 6), Offset(node + 10));
            for (var child = first; child < first + count; child++) Walk(child, here, depth + 1);
        }
        else
        {
            files[here] = (Offset(node + 10), flags);
        }
    }

    private string Name(int offset)
    {
        var at = names + offset;
        Check(6, at, "a name");
        var chars = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at));
        Check(2 * chars, at + 6, "a name");
        return Encoding.BigEndianUnicode.GetString(bytes, at + 6, 2 * chars);
    }

    private uint UInt32(int at) => BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(Check(4, at, "a field")));

    private int Offset(int at)
    {
        var value = UInt32(at);
        if (value > int.MaxValue) throw new InvalidDataException($"{name}: offset {value} at byte {at} is out of range");
        return (int)value;
    }

    private int Check(long length, int at, string what)
    {
        if (at < 0 || at + length > bytes.Length)
            throw new InvalidDataException($"{name}: truncated; {what} at byte {at} runs past the end ({bytes.Length} bytes)");
        return at;
    }
}
