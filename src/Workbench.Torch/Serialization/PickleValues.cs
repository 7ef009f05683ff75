using System.Collections;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Workbench.Torch.Serialization;

// The object model TorchCheckpoint.Load returns. Python values map to:
//   None -> null, bool -> bool, int -> long (BigInteger beyond 64 bits), float -> double, str -> string,
//   bytes / bytearray -> byte[], complex -> System.Numerics.Complex, tensors and parameters -> Tensor,
//   dict / OrderedDict / Counter -> PickleDict, list -> PickleList, tuple / torch.Size -> PickleTuple,
//   set / frozenset -> PickleSet, torch.device -> string ("cpu", "cuda:0"),
//   allowlisted classes and constants (torch.float16, torch.Tensor, torch.FloatStorage) -> PickleGlobal.

public enum PickleDictKind
{
    Dict,
    OrderedDict,
    Counter,
}

/// <summary>A Python dict, <c>collections.OrderedDict</c> or <c>Counter</c>, in insertion order; keys may be null (None).</summary>
public sealed class PickleDict : IReadOnlyCollection<KeyValuePair<object?, object?>>
{
    private readonly List<object?> keys = new();
    private readonly List<object?> values = new();
    private readonly Dictionary<object, int> index = new(PickleKeyComparer.Instance);
    private Dictionary<string, object?>? attributes;

    internal PickleDict(PickleDictKind kind) => Kind = kind;

    public PickleDictKind Kind { get; }

    public int Count => keys.Count;

    public IReadOnlyList<object?> Keys => keys;

    public IReadOnlyList<object?> Values => values;

    /// <summary>
    /// Attributes pickle set on the object (BUILD), e.g. the <c>_metadata</c> that <c>nn.Module.state_dict()</c>
    /// attaches to its OrderedDict (module prefix → {"version": n}). Empty for a plain dict.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Attributes => attributes ?? (IReadOnlyDictionary<string, object?>)EmptyAttributes;

    private static readonly Dictionary<string, object?> EmptyAttributes = new();

    public object? this[object? key] => TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"no key {PickleKeyComparer.Describe(key)}");

    public bool ContainsKey(object? key) => index.ContainsKey(PickleKeyComparer.Box(key));

    public bool TryGetValue(object? key, out object? value)
    {
        if (index.TryGetValue(PickleKeyComparer.Box(key), out var i))
        {
            value = values[i];
            return true;
        }
        value = null;
        return false;
    }

    /// <summary>The value under a string key, or null when there is none.</summary>
    public object? Get(string key) => TryGetValue(key, out var v) ? v : null;

    public IEnumerator<KeyValuePair<object?, object?>> GetEnumerator()
    {
        for (var i = 0; i < keys.Count; i++) yield return new(keys[i], values[i]);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Python's <c>d[key] = value</c>: a new key goes last, an existing one keeps its place.</summary>
    internal void Set(object? key, object? value)
    {
        var boxed = PickleKeyComparer.Box(key);
        if (index.TryGetValue(boxed, out var i))
        {
            values[i] = value;
            return;
        }
        index.Add(boxed, keys.Count);
        keys.Add(key);
        values.Add(value);
    }

    internal void SetValueAt(int i, object? value) => values[i] = value;

    internal void SetAttribute(string name, object? value) => (attributes ??= new(StringComparer.Ordinal))[name] = value;

    internal IEnumerable<string> AttributeNames => attributes?.Keys ?? Enumerable.Empty<string>();

    public override string ToString() => $"{Kind}({Count} items)";
}

/// <summary>A Python list.</summary>
public sealed class PickleList : IReadOnlyList<object?>
{
    internal readonly List<object?> Items = new();

    internal PickleList() { }

    internal PickleList(IEnumerable<object?> items) => Items.AddRange(items);

    public int Count => Items.Count;

    public object? this[int index] => Items[index];

    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"list({Count} items)";
}

/// <summary>A Python tuple (also <c>torch.Size</c>).</summary>
public sealed class PickleTuple : IReadOnlyList<object?>
{
    internal readonly object?[] Items;
    private int? hash;

    internal PickleTuple(object?[] items)
    {
        Items = items;
        long size = 1;
        foreach (var item in items) size = Math.Min(int.MaxValue, size + PickleKeyComparer.TreeSize(item));
        TreeSize = size;
    }

    public static readonly PickleTuple Empty = new(Array.Empty<object?>());

    /// <summary>Nodes in this tuple counted as a tree (shared parts counted each time), saturating; bounds key hashing.</summary>
    internal long TreeSize { get; }

    internal int CachedHash => hash ??= PickleKeyComparer.Instance.HashTuple(this);

    public int Count => Items.Length;

    public object? this[int index] => Items[index];

    public IEnumerator<object?> GetEnumerator() => ((IEnumerable<object?>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"tuple({Count} items)";
}

/// <summary>A Python set or frozenset, in insertion order.</summary>
public sealed class PickleSet : IReadOnlyCollection<object?>
{
    internal readonly List<object?> Items = new();
    private readonly HashSet<object> members = new(PickleKeyComparer.Instance);
    private int? hash;

    internal PickleSet(bool frozen) => IsFrozen = frozen;

    public bool IsFrozen { get; }

    public int Count => Items.Count;

    public bool Contains(object? item) => members.Contains(PickleKeyComparer.Box(item));

    internal long TreeSize { get; private set; } = 1;

    internal int CachedHash => hash ??= PickleKeyComparer.Instance.HashSetItems(this);

    internal void Add(object? item)
    {
        if (members.Add(PickleKeyComparer.Box(item)))
        {
            Items.Add(item);
            TreeSize = Math.Min(int.MaxValue, TreeSize + PickleKeyComparer.TreeSize(item));
            hash = null;
        }
    }

    public IEnumerator<object?> GetEnumerator() => Items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{(IsFrozen ? "frozenset" : "set")}({Count} items)";
}

/// <summary>An allowlisted Python global used as a value: a dtype (<c>torch.float16</c>), a class (<c>torch.Tensor</c>), a storage type.</summary>
public sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => Module + "." + Name;

    /// <summary>The dtype this global names (<c>torch.float16</c> → Float16), if it is one Workbench has.</summary>
    public ScalarType? DType => Module == "torch" ? TorchNames.DTypeOf(Name) : null;

    public override string ToString() => FullName;
}

/// <summary>Python's dict-key equality over the object model: 1 == 1.0 == True, bytes by content, tuples by items.</summary>
internal sealed class PickleKeyComparer : IEqualityComparer<object>
{
    public static readonly PickleKeyComparer Instance = new();

    /// <summary>Dictionary keys cannot be null; Python's None key is stored as this.</summary>
    private static readonly object NoneKey = new();

    public static object Box(object? key) => key ?? NoneKey;

    /// <summary>The largest tuple or frozenset (counted as a tree) accepted as a key or set member: hashing it is bounded.</summary>
    public const long MaxKeyTreeSize = 4096;

    public static long TreeSize(object? item) => item switch
    {
        PickleTuple t => t.TreeSize,
        PickleSet s => s.TreeSize,
        _ => 1,
    };

    /// <summary>Whether Python could hash this value (lists, dicts and mutable sets cannot be keys).</summary>
    public static bool IsHashable(object? key) => key switch
    {
        null or bool or long or BigInteger or double or string or byte[] or Complex or PickleGlobal => true,
        PickleTuple t => t.Items.All(IsHashable),
        PickleSet s => s.IsFrozen,
        _ => false,
    };

    public new bool Equals(object? a, object? b)
    {
        if (ReferenceEquals(a, b)) return true;
        if (a is null || b is null) return false;
        if (IsNumber(a) && IsNumber(b)) return NumbersEqual(a, b);
        switch (a)
        {
            case string s: return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case byte[] xb: return b is byte[] yb && xb.AsSpan().SequenceEqual(yb);
            case PickleGlobal g: return g.Equals(b);
            case PickleTuple x when b is PickleTuple y:
                if (x.Count != y.Count || x.CachedHash != y.CachedHash) return false;
                for (var i = 0; i < x.Count; i++)
                    if (!Equals(Box(x.Items[i]), Box(y.Items[i]))) return false;
                return true;
            case PickleSet xs when b is PickleSet ys:
                if (xs.Count != ys.Count || xs.CachedHash != ys.CachedHash) return false;
                foreach (var item in xs.Items)
                    if (!ys.Contains(item)) return false;
                return true;
            default: return false;
        }
    }

    public int GetHashCode(object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        BigInteger i => i >= long.MinValue && i <= long.MaxValue ? ((long)i).GetHashCode() : i.GetHashCode(),
        double d => double.IsFinite(d) && Math.Floor(d) == d ? GetHashCode((object)new BigInteger(d)) : d.GetHashCode(),
        Complex c => c.Imaginary == 0 ? GetHashCode(c.Real) : c.GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        byte[] bytes => HashBytes(bytes),
        PickleTuple t => t.CachedHash,
        PickleSet s => s.CachedHash,
        PickleGlobal g => g.GetHashCode(),
        _ => RuntimeHelpers.GetHashCode(obj),
    };

    internal int HashTuple(PickleTuple t)
    {
        var h = new HashCode();
        h.Add(t.Count);
        foreach (var item in t.Items) h.Add(GetHashCode(Box(item)));
        return h.ToHashCode();
    }

    internal int HashSetItems(PickleSet s)
    {
        var h = s.Count;
        foreach (var item in s.Items) h ^= GetHashCode(Box(item));
        return h;
    }

    private static int HashBytes(byte[] bytes)
    {
        var h = new HashCode();
        h.AddBytes(bytes);
        return h.ToHashCode();
    }

    private static bool IsNumber(object o) => o is bool or long or BigInteger or double or Complex;

    private static bool NumbersEqual(object a, object b)
    {
        if (a is Complex ca) return b is Complex cb ? ca == cb : ca.Imaginary == 0 && NumbersEqual(ca.Real, b);
        if (b is Complex) return NumbersEqual(b, a);
        if (a is double da && b is double db) return da.Equals(db);
        if (a is double d1) return IsIntegral(d1) && new BigInteger(d1) == ToInteger(b);
        if (b is double d2) return IsIntegral(d2) && new BigInteger(d2) == ToInteger(a);
        return ToInteger(a) == ToInteger(b);
    }

    private static bool IsIntegral(double d) => double.IsFinite(d) && Math.Floor(d) == d;

    private static BigInteger ToInteger(object o) => o switch
    {
        bool b => b ? 1 : 0,
        long l => l,
        BigInteger i => i,
        _ => throw new InvalidOperationException("not an integer"),
    };

    /// <summary>A short description of a key or value for messages (never a huge string).</summary>
    public static string Describe(object? value) => value switch
    {
        null => "None",
        string s => s.Length <= 60 ? $"'{s}'" : $"'{s[..57]}...'",
        bool b => b ? "True" : "False",
        long l => l.ToString(System.Globalization.CultureInfo.InvariantCulture),
        BigInteger i => i.GetByteCount() <= 16 ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"an integer of {i.GetByteCount()} bytes",
        double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        byte[] b => $"bytes of length {b.Length}",
        PickleGlobal g => g.FullName,
        Tensor => "a tensor",
        PendingTensor => "a tensor",
        _ => value.ToString() ?? value.GetType().Name,
    };
}
