using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Workbench.Tests.Data;

/// <summary>
/// Writes a Qt resource bundle (.rcc) the way Qt's rcc tool lays one out: header, names, tree (breadth first, a
/// directory's children in consecutive nodes), data; version 1 nodes are 14 bytes, later ones add a timestamp.
/// One folder level: <c>/folder/file</c> paths.
/// </summary>
internal static class QtResourceBundle
{
    public sealed record Entry(string Folder, string File, byte[] Content, bool Zlib = false);

    public static byte[] Write(IReadOnlyList<Entry> entries, int version = 3)
    {
        var names = new MemoryStream();
        var nameOffsets = new Dictionary<string, int>();
        int NameOffset(string name)
        {
            if (nameOffsets.TryGetValue(name, out var known)) return known;
            var offset = (int)names.Length;
            Span<byte> head = stackalloc byte[6];
            BinaryPrimitives.WriteUInt16BigEndian(head, (ushort)name.Length);
            BinaryPrimitives.WriteUInt32BigEndian(head[2..], 0); // Qt's name hash; a reader that walks the tree needs none
            names.Write(head);
            names.Write(Encoding.BigEndianUnicode.GetBytes(name));
            return nameOffsets[name] = offset;
        }

        var data = new MemoryStream();
        var folders = entries.Select(e => e.Folder).Distinct().ToList();
        var nodes = new List<byte[]>();
        var nodeSize = version >= 2 ? 22 : 14;
        byte[] Node(int nameOffset, ushort flags, uint a, uint b, uint c)
        {
            var node = new byte[nodeSize];
            BinaryPrimitives.WriteUInt32BigEndian(node, (uint)nameOffset);
            BinaryPrimitives.WriteUInt16BigEndian(node.AsSpan(4), flags);
            if ((flags & 2) != 0)
            {
                BinaryPrimitives.WriteUInt32BigEndian(node.AsSpan(6), a);
                BinaryPrimitives.WriteUInt32BigEndian(node.AsSpan(10), b);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(node.AsSpan(6), 0);  // territory
                BinaryPrimitives.WriteUInt16BigEndian(node.AsSpan(8), 1);  // language (C)
                BinaryPrimitives.WriteUInt32BigEndian(node.AsSpan(10), c);
            }
            return node;
        }

        nodes.Add(Node(0, 2, (uint)folders.Count, 1, 0));
        var firstFile = 1 + folders.Count;
        foreach (var folder in folders)
        {
            var count = entries.Count(e => e.Folder == folder);
            nodes.Add(Node(NameOffset(folder), 2, (uint)count, (uint)firstFile, 0));
            firstFile += count;
        }
        foreach (var folder in folders)
        foreach (var entry in entries.Where(e => e.Folder == folder))
        {
            var offset = (uint)data.Length;
            var stored = entry.Content;
            if (entry.Zlib)
            {
                var packed = new MemoryStream();
                var length = new byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(length, (uint)entry.Content.Length);
                packed.Write(length);
                using (var zlib = new ZLibStream(packed, CompressionLevel.Optimal, leaveOpen: true)) zlib.Write(entry.Content);
                stored = packed.ToArray();
            }
            var size = new byte[4];
            BinaryPrimitives.WriteUInt32BigEndian(size, (uint)stored.Length);
            data.Write(size);
            data.Write(stored);
            nodes.Add(Node(NameOffset(entry.File), (ushort)(entry.Zlib ? 1 : 0), 0, 0, offset));
        }

        var headerSize = version >= 3 ? 24 : 20;
        var tree = nodes.SelectMany(n => n).ToArray();
        var namesAt = headerSize;
        var treeAt = namesAt + (int)names.Length;
        var dataAt = treeAt + tree.Length;
        var header = new byte[headerSize];
        "qres"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4), (uint)version);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(8), (uint)treeAt);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(12), (uint)dataAt);
        BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(16), (uint)namesAt);
        return [.. header, .. names.ToArray(), .. tree, .. data.ToArray()];
    }
}
