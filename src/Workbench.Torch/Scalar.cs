using Workbench.Torch.PInvoke;

namespace Workbench.Torch;

/// <summary>A number passed to an op: integral, floating or bool, as PyTorch distinguishes them.</summary>
public readonly struct Scalar
{
    internal readonly NativeScalar Value;

    private Scalar(NativeScalar value) => Value = value;

    public bool IsIntegral => Value.Kind == 1;
    public bool IsBool => Value.Kind == 2;
    public double ToDouble() => Value.Kind == 0 ? Value.D : Value.I;
    public long ToInt64() => Value.Kind == 0 ? (long)Value.D : Value.I;

    public static implicit operator Scalar(double v) => new(new NativeScalar { D = v, Kind = 0 });
    public static implicit operator Scalar(float v) => new(new NativeScalar { D = v, Kind = 0 });
    public static implicit operator Scalar(long v) => new(new NativeScalar { I = v, D = v, Kind = 1 });
    public static implicit operator Scalar(int v) => new(new NativeScalar { I = v, D = v, Kind = 1 });
    public static implicit operator Scalar(bool v) => new(new NativeScalar { I = v ? 1 : 0, D = v ? 1 : 0, Kind = 2 });

    internal static Scalar FromNative(NativeScalar v) => new(v);

    public override string ToString() => Value.Kind switch
    {
        0 => Value.D.ToString(System.Globalization.CultureInfo.InvariantCulture),
        1 => Value.I.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => Value.I != 0 ? "True" : "False",
    };
}
