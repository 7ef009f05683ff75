using System.Buffers.Binary;
using System.Text;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch.Serialization;

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian header length N, N bytes of UTF-8
/// JSON <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, "__metadata__": {..}}</c>,
/// then the raw little-endian tensor bytes, offsets counted from the end of the header.
/// Loaded tensors are CPU tensors that belong to the current <see cref="DisposeScope"/>, if any.
/// </summary>
public static class SafeTensors
{
    private const int CopyChunk = 1 << 24;

    // ---- loading -----------------------------------------------------------------------
    public static Dictionary<string, Tensor> Load(string path) => LoadWithMetadata(path).Tensors;

    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) LoadWithMetadata(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Load(stream, stream.Length, path);
    }

    public static Dictionary<string, Tensor> LoadBytes(byte[] bytes) => LoadBytesWithMetadata(bytes).Tensors;

    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) LoadBytesWithMetadata(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return Load(stream, bytes.Length, "<bytes>");
    }

    /// <summary>Reads <paramref name="length"/> bytes of safetensors from a stream (it need not be seekable).</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(Stream stream, long length, string sourceName)
    {
        var header = ReadHeader(stream, length, sourceName);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            // Entries tile the data section in offset order, so one sequential pass reads them all.
            foreach (var e in header.Entries)
                tensors.Add(e.Name, ReadTensor(stream, e, sourceName));
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return (tensors, new Dictionary<string, string>(header.Metadata, StringComparer.Ordinal));
    }

    /// <summary>Only the header: names, dtypes, shapes and metadata, without reading tensor data.</summary>
    public static SafeTensorsHeader ReadHeader(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadHeader(stream, stream.Length, path);
    }

    private static SafeTensorsHeader ReadHeader(Stream stream, long length, string source)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors loading assumes a little-endian machine");
        if (length < 8) throw new SafeTensorsFormatException(source, $"the file holds {length} bytes, fewer than the 8-byte header length");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, source);
        var n = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (n > SafeTensorsHeader.MaxHeaderBytes) throw new SafeTensorsFormatException(source, $"the header length {n} exceeds the {SafeTensorsHeader.MaxHeaderBytes}-byte limit");
        if ((long)n > length - 8) throw new SafeTensorsFormatException(source, $"the header length {n} runs past the end of the file ({length} bytes)");
        var json = new byte[n];
        ReadExactly(stream, json, source);
        return SafeTensorsHeader.Parse(json, length - 8 - (long)n, source);
    }

    private static Tensor ReadTensor(Stream stream, SafeTensorsEntry e, string source)
    {
        var tensor = torch.empty(e.Shape, e.DType);
        try
        {
            if (e.ByteLength == 0) return tensor;
            var data = Check(wb_data_ptr(tensor.Handle));
            unsafe
            {
                for (long done = 0; done < e.ByteLength; done += CopyChunk)
                {
                    var span = new Span<byte>((byte*)data + done, (int)Math.Min(CopyChunk, e.ByteLength - done));
                    ReadExactly(stream, span, source);
                    // libtorch assumes a bool byte is 0 or 1; anything else is undefined behaviour in its kernels.
                    if (e.DType == ScalarType.Bool && span.IndexOfAnyExcept((byte)0, (byte)1) >= 0)
                        throw new SafeTensorsFormatException(source, $"tensor '{e.Name}' is BOOL but holds a byte other than 0 or 1");
                }
            }
            return tensor;
        }
        catch
        {
            tensor.Dispose();
            throw;
        }
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string source)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new SafeTensorsFormatException(source, "the file ended early (was it changed while being read?)", e);
        }
    }

    // ---- saving ------------------------------------------------------------------------
    /// <summary>Writes the tensors atomically (see <see cref="AtomicFile"/>); names are written in ordinal order.</summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var entries = Layout(tensors, metadata);
        AtomicFile.Write(path, stream => Write(stream, tensors, entries, metadata));
    }

    public static byte[] SaveBytes(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        Save(stream, tensors, metadata);
        return stream.ToArray();
    }

    public static void Save(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        Write(stream, tensors, Layout(tensors, metadata), metadata);

    /// <summary>Validates names and metadata and assigns each tensor its byte range, before anything is written.</summary>
    private static List<SafeTensorsEntry> Layout(IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        var entries = new List<SafeTensorsEntry>(tensors.Count);
        long offset = 0;
        foreach (var (name, tensor) in tensors.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (name == SafeTensorsHeader.MetadataKey) throw new ArgumentException($"'{name}' is reserved for metadata and cannot name a tensor", nameof(tensors));
            CheckText(name, "tensor name");
            ArgumentNullException.ThrowIfNull(tensor, $"tensors['{name}']");
            var dtype = tensor.dtype;
            SafeTensorsHeader.DTypeName(dtype); // throws for a dtype the format lacks
            var bytes = tensor.numel() * dtype.ElementSize();
            entries.Add(new SafeTensorsEntry(name, dtype, tensor.shape, offset, offset + bytes));
            offset += bytes;
        }
        if (metadata is not null)
        {
            foreach (var (k, v) in metadata)
            {
                CheckText(k, "metadata key");
                CheckText(v, $"metadata['{k}']");
            }
        }
        return entries;
    }

    private static void CheckText(string? s, string what)
    {
        ArgumentNullException.ThrowIfNull(s, what);
        try
        {
            _ = new UTF8Encoding(false, true).GetByteCount(s);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"{what} is not valid Unicode (a lone surrogate)", e);
        }
    }

    private static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, List<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("safetensors saving assumes a little-endian machine");
        var header = SafeTensorsHeader.Build(entries, metadata);
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (var e in entries)
        {
            if (e.ByteLength == 0) continue;
            // One contiguous CPU copy at a time keeps peak memory at the largest tensor, not the whole file.
            using var detached = tensors[e.Name].detach();
            using var cpu = detached.cpu();
            using var dense = cpu.contiguous();
            var data = Check(wb_data_ptr(dense.Handle));
            unsafe
            {
                for (long done = 0; done < e.ByteLength; done += CopyChunk)
                    stream.Write(new ReadOnlySpan<byte>((byte*)data + done, (int)Math.Min(CopyChunk, e.ByteLength - done)));
            }
            GC.KeepAlive(dense);
        }
    }
}
