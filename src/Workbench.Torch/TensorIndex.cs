using Workbench.Torch.PInvoke;

namespace Workbench.Torch;

/// <summary>
/// One position in a Python-style index: an integer, a slice (C# ranges work: <c>x[.., 1..^1]</c>),
/// <see cref="None"/> (new axis), <see cref="Ellipsis"/>, or a bool/int64 tensor.
/// </summary>
public readonly struct TensorIndex
{
    internal readonly NativeIndex Value;
    internal readonly Tensor? Tensor;

    private TensorIndex(NativeIndex value, Tensor? tensor = null)
    {
        Value = value;
        Tensor = tensor;
    }

    public static TensorIndex Ellipsis => new(new NativeIndex { Kind = 3 });
    public static TensorIndex None => new(new NativeIndex { Kind = 2 });

    /// <summary>Python's start:stop:step; a null bound is open.</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) => new(new NativeIndex
    {
        Kind = 1,
        HasStart = start.HasValue ? 1 : 0,
        Start = start ?? 0,
        HasStop = stop.HasValue ? 1 : 0,
        Stop = stop ?? 0,
        Step = step,
    });

    public static implicit operator TensorIndex(long i) => new(new NativeIndex { Kind = 0, Start = i });
    public static implicit operator TensorIndex(int i) => new(new NativeIndex { Kind = 0, Start = i });
    public static implicit operator TensorIndex(Tensor t) => new(new NativeIndex { Kind = 4 }, t);

    /// <summary>^1 is -1 as in Python; ^0 means the end: "to the end" as a stop, an empty slice as a start
    /// (long.MaxValue, which libtorch clamps to the size, as Python does with x[len(x):]).</summary>
    public static implicit operator TensorIndex(Range r)
    {
        long? Bound(Index i, bool isEnd) => i.IsFromEnd ? (i.Value == 0 ? (isEnd ? null : long.MaxValue) : -i.Value) : i.Value;
        return Slice(Bound(r.Start, false), Bound(r.End, true));
    }

    internal static NativeIndex[] ToNative(TensorIndex[] indices)
    {
        var result = new NativeIndex[indices.Length];
        for (var i = 0; i < indices.Length; i++)
        {
            result[i] = indices[i].Value;
            if (indices[i].Tensor is { } t) result[i].Tensor = t.Handle.DangerousGetHandle();
        }
        return result;
    }
}
