using System.Globalization;

namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// A 2-D size argument as PyTorch's <c>_size_2_t</c>: one number for both dimensions (<c>kernel_size: 3</c>)
    /// or a (height, width) pair (<c>kernel_size: (3, 5)</c>). Remembers which, because pooling layers print it as given.
    /// </summary>
    public readonly struct Size2 : IEquatable<Size2>
    {
        public Size2(long both)
        {
            H = W = both;
            IsScalar = true;
        }

        public Size2(long h, long w)
        {
            H = h;
            W = w;
            IsScalar = false;
        }

        public long H { get; }
        public long W { get; }

        /// <summary>True when given as one number.</summary>
        public bool IsScalar { get; }

        public long[] ToArray() => new[] { H, W };

        public static implicit operator Size2(long both) => new(both);
        public static implicit operator Size2((long h, long w) pair) => new(pair.h, pair.w);
        public static implicit operator Size2((int h, int w) pair) => new(pair.h, pair.w);

        /// <summary>As Python prints the argument: "3" or "(3, 5)".</summary>
        public override string ToString() => IsScalar ? H.ToString(CultureInfo.InvariantCulture) : PyRepr.Tuple(H, W);

        public bool Equals(Size2 other) => H == other.H && W == other.W;
        public override bool Equals(object? obj) => obj is Size2 s && Equals(s);
        public override int GetHashCode() => HashCode.Combine(H, W);
        public static bool operator ==(Size2 a, Size2 b) => a.Equals(b);
        public static bool operator !=(Size2 a, Size2 b) => !a.Equals(b);
    }

    /// <summary>A convolution's padding: a number, a (height, width) pair, or "same" / "valid".</summary>
    public readonly struct Padding2
    {
        public Padding2(Size2 size)
        {
            Size = size;
            Mode = null;
        }

        public Padding2(string mode)
        {
            if (mode != "same" && mode != "valid") throw new ArgumentException($"Invalid padding string '{mode}', should be one of {{'valid', 'same'}}");
            Size = new Size2(0);
            Mode = mode;
        }

        public Size2 Size { get; }

        /// <summary>"same", "valid", or null for explicit sizes.</summary>
        public string? Mode { get; }

        public static implicit operator Padding2(long both) => new(new Size2(both));
        public static implicit operator Padding2((long h, long w) pair) => new(new Size2(pair.h, pair.w));
        public static implicit operator Padding2((int h, int w) pair) => new(new Size2(pair.h, pair.w));
        public static implicit operator Padding2(Size2 size) => new(size);
        public static implicit operator Padding2(string mode) => new(mode);
    }
}

/// <summary>Formats values the way Python's repr/str does, so printed modules read exactly like PyTorch's.</summary>
internal static class PyRepr
{
    public static string Float(double v)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        // .NET's shortest round-trip form switches to exponents at the same magnitudes as Python (1e-05, 1e+16).
        var s = v.ToString("R", CultureInfo.InvariantCulture);
        if (s.Contains('E'))
        {
            var e = s.IndexOf('E');
            var mantissa = s[..e];
            var exponent = int.Parse(s[(e + 1)..], CultureInfo.InvariantCulture);
            return mantissa + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString("00", CultureInfo.InvariantCulture);
        }
        return s.Contains('.') ? s : s + ".0";
    }

    public static string Bool(bool b) => b ? "True" : "False";

    public static string Tuple(params long[] values) =>
        values.Length == 1 ? $"({values[0]},)" : "(" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + ")";

    public static string Str(string s) => "'" + s + "'";

    /// <summary>A shape as PyTorch prints it: torch.Size([2, 3]).</summary>
    public static string Size(long[] shape) => $"torch.Size([{string.Join(", ", shape)}])";
}
