namespace Workbench.Torch.Serialization;

/// <summary>PyTorch's names for dtypes and storage types, as pickles write them.</summary>
internal static class TorchNames
{
    /// <summary>torch.&lt;name&gt; dtype constants (str(dtype) without "torch."), and the dtype Workbench has for each, if any.</summary>
    private static readonly Dictionary<string, ScalarType?> DTypes = new(StringComparer.Ordinal)
    {
        ["float32"] = ScalarType.Float32, ["float64"] = ScalarType.Float64, ["float16"] = ScalarType.Float16,
        ["bfloat16"] = ScalarType.BFloat16, ["int64"] = ScalarType.Int64, ["int32"] = ScalarType.Int32,
        ["int16"] = ScalarType.Int16, ["int8"] = ScalarType.Int8, ["uint8"] = ScalarType.UInt8, ["bool"] = ScalarType.Bool,
        ["complex32"] = null, ["complex64"] = null, ["complex128"] = null,
        ["qint8"] = null, ["quint8"] = null, ["qint32"] = null, ["quint4x2"] = null, ["quint2x4"] = null,
        ["uint16"] = null, ["uint32"] = null, ["uint64"] = null,
        ["float8_e4m3fn"] = null, ["float8_e5m2"] = null, ["float8_e4m3fnuz"] = null, ["float8_e5m2fnuz"] = null,
    };

    /// <summary>Storage classes (torch.FloatStorage ...) and their element dtype; null where Workbench has no such dtype.</summary>
    private static readonly Dictionary<string, ScalarType?> Storages = new(StringComparer.Ordinal)
    {
        ["FloatStorage"] = ScalarType.Float32, ["DoubleStorage"] = ScalarType.Float64, ["HalfStorage"] = ScalarType.Float16,
        ["BFloat16Storage"] = ScalarType.BFloat16, ["LongStorage"] = ScalarType.Int64, ["IntStorage"] = ScalarType.Int32,
        ["ShortStorage"] = ScalarType.Int16, ["CharStorage"] = ScalarType.Int8, ["ByteStorage"] = ScalarType.UInt8,
        ["BoolStorage"] = ScalarType.Bool,
        // zip files from PyTorch >= 2 may name the untyped storage; torch.load reads it as bytes (uint8)
        ["UntypedStorage"] = ScalarType.UInt8,
        ["ComplexFloatStorage"] = null, ["ComplexDoubleStorage"] = null, ["QInt8Storage"] = null, ["QUInt8Storage"] = null,
        ["QInt32Storage"] = null, ["QUInt4x2Storage"] = null, ["QUInt2x4Storage"] = null,
    };

    public static ScalarType? DTypeOf(string name) => DTypes.TryGetValue(name, out var t) ? t : null;

    public static bool IsDTypeName(string name) => DTypes.ContainsKey(name);

    /// <summary>Whether module.name names a storage class: torch.FloatStorage, torch.cuda.FloatStorage, torch.storage.UntypedStorage.</summary>
    public static bool IsStorageClass(string module, string name) =>
        Storages.ContainsKey(name) && (module is "torch" or "torch.cuda" || (module == "torch.storage" && name == "UntypedStorage"));

    /// <summary>The element dtype of a storage class; throws for one Workbench cannot hold.</summary>
    public static bool TryStorageDType(string name, out ScalarType dtype)
    {
        dtype = default;
        if (!Storages.TryGetValue(name, out var t) || t is null) return false;
        dtype = t.Value;
        return true;
    }
}
