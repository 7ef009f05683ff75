namespace Workbench.Torch;

/// <summary>Element types; the values are c10::ScalarType's, so they cross the ABI unchanged.</summary>
public enum ScalarType
{
    UInt8 = 0,
    Int8 = 1,
    Int16 = 2,
    Int32 = 3,
    Int64 = 4,
    Float16 = 5,
    Float32 = 6,
    Float64 = 7,
    Bool = 11,
    BFloat16 = 15,
}

public static class ScalarTypeExtensions
{
    public static bool IsFloatingPoint(this ScalarType t) =>
        t is ScalarType.Float16 or ScalarType.Float32 or ScalarType.Float64 or ScalarType.BFloat16;

    public static int ElementSize(this ScalarType t) => t switch
    {
        ScalarType.UInt8 or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int32 or ScalarType.Float32 => 4,
        _ => 8,
    };

    /// <summary>PyTorch's spelling, e.g. torch.float32.</summary>
    public static string TorchName(this ScalarType t) => t switch
    {
        ScalarType.UInt8 => "torch.uint8",
        ScalarType.Int8 => "torch.int8",
        ScalarType.Int16 => "torch.int16",
        ScalarType.Int32 => "torch.int32",
        ScalarType.Int64 => "torch.int64",
        ScalarType.Float16 => "torch.float16",
        ScalarType.Float32 => "torch.float32",
        ScalarType.Float64 => "torch.float64",
        ScalarType.Bool => "torch.bool",
        ScalarType.BFloat16 => "torch.bfloat16",
        _ => t.ToString(),
    };

    internal static ScalarType Of<T>() where T : unmanaged
    {
        if (typeof(T) == typeof(float)) return ScalarType.Float32;
        if (typeof(T) == typeof(double)) return ScalarType.Float64;
        if (typeof(T) == typeof(long)) return ScalarType.Int64;
        if (typeof(T) == typeof(int)) return ScalarType.Int32;
        if (typeof(T) == typeof(short)) return ScalarType.Int16;
        if (typeof(T) == typeof(byte)) return ScalarType.UInt8;
        if (typeof(T) == typeof(sbyte)) return ScalarType.Int8;
        if (typeof(T) == typeof(bool)) return ScalarType.Bool;
        if (typeof(T) == typeof(Half)) return ScalarType.Float16;
        throw new NotSupportedException($"no tensor dtype for {typeof(T).Name}");
    }
}
