using System.Text.Json;
using System.Text.Unicode;

namespace Workbench.Torch.Serialization;

/// <summary>One tensor's entry: dtype, shape and its byte range, relative to the start of the data section.</summary>
public sealed record SafeTensorsEntry(string Name, ScalarType DType, long[] Shape, long Begin, long End)
{
    public long ByteLength => End - Begin;
}

/// <summary>
/// The JSON header of a safetensors file, parsed and checked against the size of the data section.
/// Every check lives here, before a single tensor byte is allocated: a hostile header can make the
/// loader throw <see cref="SafeTensorsFormatException"/>, but never read out of bounds or allocate more
/// than the file holds.
/// </summary>
public sealed class SafeTensorsHeader
{
    /// <summary>A sane ceiling for the JSON header (the reference implementation uses the same 100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>libtorch handles at most 64 dimensions in several kernels; nothing real comes close.</summary>
    public const int MaxRank = 64;

    public const string MetadataKey = "__metadata__";

    private static readonly (string Name, ScalarType Type)[] DTypes =
    {
        ("F64", ScalarType.Float64), ("F32", ScalarType.Float32), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.UInt8), ("BOOL", ScalarType.Bool),
    };

    internal SafeTensorsHeader(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string> metadata)
    {
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>Entries in file order (ascending offsets).</summary>
    public IReadOnlyList<SafeTensorsEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static string DTypeName(ScalarType type)
    {
        foreach (var (name, t) in DTypes)
            if (t == type) return name;
        throw new NotSupportedException($"safetensors has no dtype for {type.TorchName()}");
    }

    private static bool TryParseDType(string name, out ScalarType type)
    {
        foreach (var (n, t) in DTypes)
        {
            if (n == name)
            {
                type = t;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>Parses the header JSON and validates it against a data section of <paramref name="dataLength"/> bytes.</summary>
    public static SafeTensorsHeader Parse(ReadOnlySpan<byte> json, long dataLength, string source)
    {
        SafeTensorsFormatException Bad(string problem, Exception? inner = null) => new(source, problem, inner);

        if (json.Length < 2 || json[0] != (byte)'{') throw Bad("the header does not start with '{'");
        if (!Utf8.IsValid(json)) throw Bad("the header is not valid UTF-8");
        JsonDocument document;
        try
        {
            // Depth 3 is all the format needs ({name: {shape: [...]}}); a tight limit stops nesting bombs early.
            document = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
        }
        catch (JsonException e)
        {
            throw Bad("the header is not valid JSON (" + e.Message + ")", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad("the header is not a JSON object");
            var names = new HashSet<string>(StringComparer.Ordinal);
            var entries = new List<SafeTensorsEntry>();
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                // JsonDocument keeps duplicate keys; a second definition of a tensor is ambiguous, so reject it.
                if (!names.Add(property.Name)) throw Bad($"the key '{Shorten(property.Name)}' appears twice");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, Bad);
                else entries.Add(ReadEntry(property.Name, property.Value, dataLength, Bad));
            }
            CheckLayout(entries, dataLength, Bad);
            return new SafeTensorsHeader(entries, metadata);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, Func<string, Exception?, SafeTensorsFormatException> bad)
    {
        if (value.ValueKind != JsonValueKind.Object) throw bad("__metadata__ is not an object of strings", null);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String) throw bad($"__metadata__['{Shorten(item.Name)}'] is not a string", null);
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!)) throw bad($"__metadata__ key '{Shorten(item.Name)}' appears twice", null);
        }
    }

    private static SafeTensorsEntry ReadEntry(string name, JsonElement value, long dataLength, Func<string, Exception?, SafeTensorsFormatException> bad)
    {
        var what = $"tensor '{Shorten(name)}'";
        if (value.ValueKind != JsonValueKind.Object) throw bad($"{what} is not an object", null);
        string? dtypeName = null;
        JsonElement? shapeJson = null, offsetsJson = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtypeName is null:
                    if (field.Value.ValueKind != JsonValueKind.String) throw bad($"{what}: dtype is not a string", null);
                    dtypeName = field.Value.GetString()!;
                    break;
                case "shape" when shapeJson is null:
                    shapeJson = field.Value;
                    break;
                case "data_offsets" when offsetsJson is null:
                    offsetsJson = field.Value;
                    break;
                case "dtype" or "shape" or "data_offsets":
                    throw bad($"{what}: '{field.Name}' appears twice", null);
                default:
                    throw bad($"{what}: unknown field '{Shorten(field.Name)}'", null);
            }
        }
        if (dtypeName is null || shapeJson is null || offsetsJson is null) throw bad($"{what} needs dtype, shape and data_offsets", null);
        if (!TryParseDType(dtypeName, out var dtype)) throw bad($"{what}: unknown dtype '{Shorten(dtypeName)}' (known: {string.Join(", ", DTypes.Select(d => d.Name))})", null);

        var shape = ReadIntegers(shapeJson.Value, $"{what}: shape", MaxRank, bad);
        var offsets = ReadIntegers(offsetsJson.Value, $"{what}: data_offsets", 2, bad);
        if (offsets.Length != 2) throw bad($"{what}: data_offsets must be [begin, end]", null);
        var (begin, end) = (offsets[0], offsets[1]);
        if (begin > end) throw bad($"{what}: data_offsets [{begin}, {end}] end before they begin", null);
        if (end > dataLength) throw bad($"{what}: data_offsets [{begin}, {end}] run past the data section ({dataLength} bytes)", null);

        // Checked products: a shape like [2^40, 2^40] must be rejected, not wrap around to a small size.
        // Zero-sized dims count as 1 here so that [0, 2^62, 2^62] (whose strides overflow in libtorch) is refused too.
        long extent = 1, numel = 1;
        try
        {
            foreach (var d in shape)
            {
                extent = checked(extent * Math.Max(d, 1));
                numel *= d;
            }
            _ = checked(extent * dtype.ElementSize());
        }
        catch (OverflowException)
        {
            throw bad($"{what}: shape [{string.Join(", ", shape)}] is too large", null);
        }
        var expected = numel * dtype.ElementSize();
        if (end - begin != expected)
            throw bad($"{what}: shape [{string.Join(", ", shape)}] of {dtypeName} needs {expected} bytes but data_offsets [{begin}, {end}] hold {end - begin}", null);
        return new SafeTensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[] ReadIntegers(JsonElement value, string what, int maxCount, Func<string, Exception?, SafeTensorsFormatException> bad)
    {
        if (value.ValueKind != JsonValueKind.Array) throw bad($"{what} is not an array", null);
        var count = value.GetArrayLength();
        if (count > maxCount) throw bad($"{what} has {count} entries (at most {maxCount})", null);
        var result = new long[count];
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt64(out var v) || v < 0)
                throw bad($"{what}[{i}] is not a non-negative 64-bit integer ({Shorten(item.GetRawText())})", null);
            result[i++] = v;
        }
        return result;
    }

    /// <summary>Ranges must tile the data section exactly: no overlaps (two tensors sharing bytes), no gaps (hidden data).</summary>
    private static void CheckLayout(List<SafeTensorsEntry> entries, long dataLength, Func<string, Exception?, SafeTensorsFormatException> bad)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long cursor = 0;
        string? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < cursor) throw bad($"tensor '{Shorten(e.Name)}' [{e.Begin}, {e.End}] overlaps tensor '{Shorten(previous!)}' (which ends at {cursor})", null);
            if (e.Begin > cursor) throw bad($"bytes [{cursor}, {e.Begin}) of the data section belong to no tensor", null);
            cursor = e.End;
            previous = e.Name;
        }
        if (cursor != dataLength) throw bad($"the tensors cover {cursor} bytes but the data section holds {dataLength}", null);
    }

    /// <summary>The header bytes for these entries, space-padded to a multiple of 8 so that tensor data stays aligned.</summary>
    internal static byte[] Build(IReadOnlyList<SafeTensorsEntry> entries, IReadOnlyDictionary<string, string>? metadata)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in metadata.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            foreach (var e in entries)
            {
                w.WriteStartObject(e.Name);
                w.WriteString("dtype", DTypeName(e.DType));
                w.WriteStartArray("shape");
                foreach (var d in e.Shape) w.WriteNumberValue(d);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(e.Begin);
                w.WriteNumberValue(e.End);
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        var padding = (int)(-buffer.Length & 7);
        for (var i = 0; i < padding; i++) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    /// <summary>Names from a hostile file can be megabytes long; messages quote at most 80 characters.</summary>
    private static string Shorten(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
