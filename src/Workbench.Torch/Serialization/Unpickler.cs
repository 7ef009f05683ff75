using System.Globalization;
using System.Numerics;
using System.Text;

namespace Workbench.Torch.Serialization;

/// <summary>
/// A pickle reader (protocols 0–5) with the semantics of PyTorch's <c>weights_only=True</c> unpickler: it builds
/// data (numbers, strings, containers) and knows a short allowlist of globals — <c>collections.OrderedDict</c>,
/// the tensor rebuild functions of <c>torch._utils</c>, storage types, dtypes, <c>torch.Size</c>. It never imports,
/// looks up or calls anything by name: a global outside the allowlist is refused at once, or, when the caller asks
/// for it (to skip an optimizer state it does not need), becomes an inert <see cref="RefusedValue"/>.
/// Every length is checked against the bytes left, nesting is bounded and data built by copying is bounded by the
/// pickle's size, so hostile input ends in a <see cref="TorchCheckpointFormatException"/>, not a crash or a hang.
/// </summary>
internal sealed class Unpickler
{
    /// <summary>The deepest MARK nesting (and, checked by TorchCheckpoint, object nesting) accepted.</summary>
    public const int MaxDepth = 256;

    private const int MaxTextLine = 4096;

    private readonly CheckpointByteSource input;
    private readonly Func<object?, object?> persistentLoad;
    private readonly bool deferRefusals;
    private readonly Dictionary<long, object?> memo = new();
    private readonly List<List<object?>> metastack = new();
    private List<object?> stack = new();
    private long opPosition;
    private long copyBudget;

    /// <param name="persistentLoad">Resolves a persistent id (PyTorch: a storage); throws <see cref="FormatException"/> for one it refuses.</param>
    /// <param name="deferRefusals">Turn refused globals into inert markers instead of refusing at once.</param>
    public Unpickler(CheckpointByteSource input, Func<object?, object?> persistentLoad, bool deferRefusals)
    {
        this.input = input;
        this.persistentLoad = persistentLoad;
        this.deferRefusals = deferRefusals;
        // Containers copied by calls (OrderedDict(list), set(list), _codecs.encode(str)) may not build more than a
        // small multiple of what the pickle holds, whatever the memo repeats.
        copyBudget = 16 * Math.Max(input.Remaining, 0) + (1 << 20);
    }

    private readonly List<RefusedValue> refusals = new();

    /// <summary>Every refused global met (deferred mode), in order.</summary>
    public IReadOnlyList<RefusedValue> Refusals => refusals;

    private TorchCheckpointFormatException Error(string problem) =>
        input.Error($"{problem} (in {input.Part}, opcode at byte {opPosition})");

    public object? Load()
    {
        while (true)
        {
            opPosition = input.Position;
            if (input.Remaining <= 0) throw Error("the pickle ends without a STOP opcode (is the file truncated?)");
            var op = input.ReadByte();
            switch (op)
            {
                // ---- framing and protocol ----
                case 0x80: // PROTO
                    {
                        var proto = input.ReadByte();
                        if (proto > 5) throw Error($"pickle protocol {proto} is newer than the protocols this reader knows (0-5)");
                        break;
                    }
                case 0x95: // FRAME: a length hint only
                    {
                        var n = input.ReadUInt64();
                        if (n > (ulong)input.Remaining) throw Error($"a frame declares {n} bytes but only {input.Remaining} are left");
                        break;
                    }
                case (byte)'.': // STOP
                    return Pop("STOP");

                // ---- stack ----
                case (byte)'(': // MARK
                    if (metastack.Count >= MaxDepth) throw Error($"the pickle nests deeper than {MaxDepth} levels");
                    metastack.Add(stack);
                    stack = new List<object?>();
                    break;
                case (byte)'0': // POP
                    if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
                    else PopMark("POP");
                    break;
                case (byte)'1': // POP_MARK
                    PopMark("POP_MARK");
                    break;
                case (byte)'2': // DUP
                    Push(Peek("DUP"));
                    break;

                // ---- constants and numbers ----
                case (byte)'N': Push(null); break;
                case 0x88: Push(true); break;  // NEWTRUE
                case 0x89: Push(false); break; // NEWFALSE
                case (byte)'J': Push((long)input.ReadInt32()); break;  // BININT
                case (byte)'K': Push((long)input.ReadByte()); break;   // BININT1
                case (byte)'M': Push((long)input.ReadUInt16()); break; // BININT2
                case 0x8a: // LONG1
                    Push(DecodeLong(input.ReadBytes(input.ReadByte(), "a LONG1 integer")));
                    break;
                case 0x8b: // LONG4
                    Push(DecodeLong(input.ReadBytes(input.ReadInt32(), "a LONG4 integer")));
                    break;
                case (byte)'I': // INT (text; "00"/"01" are False/True)
                    {
                        var text = Ascii(input.ReadLine(MaxTextLine, "an INT"), "INT");
                        Push(text switch { "00" => false, "01" => true, _ => ParseInteger(text, "INT") });
                        break;
                    }
                case (byte)'L': // LONG (text, may end in L)
                    {
                        var text = Ascii(input.ReadLine(MaxTextLine, "a LONG"), "LONG");
                        Push(ParseInteger(text.EndsWith('L') ? text[..^1] : text, "LONG"));
                        break;
                    }
                case (byte)'G': Push(input.ReadDoubleBigEndian()); break; // BINFLOAT
                case (byte)'F': // FLOAT (text)
                    Push(ParseFloat(Ascii(input.ReadLine(MaxTextLine, "a FLOAT"), "FLOAT")));
                    break;

                // ---- strings and bytes ----
                case (byte)'X': Push(Utf8(input.ReadBytes(input.ReadUInt32(), "a BINUNICODE string"))); break;
                case 0x8c: Push(Utf8(input.ReadBytes(input.ReadByte(), "a SHORT_BINUNICODE string"))); break;
                case 0x8d: Push(Utf8(input.ReadBytes(CheckedLength(input.ReadUInt64()), "a BINUNICODE8 string"))); break;
                case (byte)'V': // UNICODE (raw-unicode-escape text)
                    Push(RawUnicodeEscape(input.ReadLine(int.MaxValue, "a UNICODE string")));
                    break;
                case (byte)'B': Push(input.ReadBytes(input.ReadUInt32(), "a BINBYTES value")); break;
                case (byte)'C': Push(input.ReadBytes(input.ReadByte(), "a SHORT_BINBYTES value")); break;
                case 0x8e: Push(input.ReadBytes(CheckedLength(input.ReadUInt64()), "a BINBYTES8 value")); break;
                case 0x96: Push(input.ReadBytes(CheckedLength(input.ReadUInt64()), "a BYTEARRAY8 value")); break;
                case (byte)'T': Push(Python2String(input.ReadBytes(input.ReadInt32(), "a BINSTRING"))); break;
                case (byte)'U': Push(Python2String(input.ReadBytes(input.ReadByte(), "a SHORT_BINSTRING"))); break;
                case (byte)'S': // STRING (quoted, escaped text)
                    Push(Python2String(QuotedString(input.ReadLine(int.MaxValue, "a STRING"))));
                    break;

                // ---- containers ----
                case (byte)')': Push(PickleTuple.Empty); break;
                case (byte)']': Push(new PickleList()); break;
                case (byte)'}': Push(new PickleDict(PickleDictKind.Dict)); break;
                case 0x8f: Push(new PickleSet(frozen: false)); break; // EMPTY_SET
                case (byte)'t': Push(MakeTuple(PopMark("TUPLE").ToArray())); break;
                case 0x85: Push(MakeTuple([Pop("TUPLE1")])); break;
                case 0x86:
                    {
                        var b = Pop("TUPLE2");
                        var a = Pop("TUPLE2");
                        Push(MakeTuple([a, b]));
                        break;
                    }
                case 0x87:
                    {
                        var c = Pop("TUPLE3");
                        var b = Pop("TUPLE3");
                        var a = Pop("TUPLE3");
                        Push(MakeTuple([a, b, c]));
                        break;
                    }
                case (byte)'l': Push(new PickleList(PopMark("LIST"))); break;
                case (byte)'d': // DICT
                    {
                        var items = PopMark("DICT");
                        var dict = new PickleDict(PickleDictKind.Dict);
                        SetItems(dict, items, "DICT");
                        Push(dict);
                        break;
                    }
                case 0x91: // FROZENSET
                    {
                        var set = new PickleSet(frozen: true);
                        foreach (var item in PopMark("FROZENSET")) AddToSet(set, item, "FROZENSET");
                        Push(set);
                        break;
                    }
                case (byte)'a': // APPEND
                    {
                        var item = Pop("APPEND");
                        AppendTo(Peek("APPEND"), [item], "APPEND");
                        break;
                    }
                case (byte)'e': // APPENDS
                    {
                        var items = PopMark("APPENDS");
                        AppendTo(Peek("APPENDS"), items, "APPENDS");
                        break;
                    }
                case (byte)'s': // SETITEM
                    {
                        var value = Pop("SETITEM");
                        var key = Pop("SETITEM");
                        var target = Peek("SETITEM");
                        if (target is RefusedValue) break;
                        if (target is not PickleDict d) throw Error($"SETITEM on {Kind(target)}; only dicts take items");
                        SetItems(d, [key, value], "SETITEM");
                        break;
                    }
                case (byte)'u': // SETITEMS
                    {
                        var items = PopMark("SETITEMS");
                        var target = Peek("SETITEMS");
                        if (target is RefusedValue) break;
                        if (target is not PickleDict d) throw Error($"SETITEMS on {Kind(target)}; only dicts take items");
                        SetItems(d, items, "SETITEMS");
                        break;
                    }
                case 0x90: // ADDITEMS
                    {
                        var items = PopMark("ADDITEMS");
                        var target = Peek("ADDITEMS");
                        if (target is RefusedValue) break;
                        if (target is not PickleSet { IsFrozen: false } s) throw Error($"ADDITEMS on {Kind(target)}; only sets take items");
                        foreach (var item in items) AddToSet(s, item, "ADDITEMS");
                        break;
                    }

                // ---- memo ----
                case (byte)'q': Memoize(input.ReadByte()); break;   // BINPUT
                case (byte)'r': Memoize(input.ReadUInt32()); break; // LONG_BINPUT
                case (byte)'p': // PUT
                    {
                        var index = ParseInteger(Ascii(input.ReadLine(MaxTextLine, "a PUT"), "PUT"), "PUT");
                        if (index is not long i || i < 0) throw Error("PUT with a negative or huge memo index");
                        Memoize(i);
                        break;
                    }
                case 0x94: Memoize(memo.Count); break; // MEMOIZE
                case (byte)'h': Push(Recall(input.ReadByte())); break;   // BINGET
                case (byte)'j': Push(Recall(input.ReadUInt32())); break; // LONG_BINGET
                case (byte)'g': // GET
                    {
                        var index = ParseInteger(Ascii(input.ReadLine(MaxTextLine, "a GET"), "GET"), "GET");
                        Push(index is long i ? Recall(i) : throw Error("GET with a huge memo index"));
                        break;
                    }

                // ---- globals and calls: only the allowlist ----
                case (byte)'c': // GLOBAL
                    {
                        var module = Utf8(input.ReadLine(MaxTextLine, "a GLOBAL module name"));
                        var name = Utf8(input.ReadLine(MaxTextLine, "a GLOBAL name"));
                        Push(ResolveGlobal(module, name));
                        break;
                    }
                case 0x93: // STACK_GLOBAL
                    {
                        var name = Pop("STACK_GLOBAL");
                        var module = Pop("STACK_GLOBAL");
                        if (module is not string m || name is not string n) throw Error("STACK_GLOBAL needs two strings");
                        Push(ResolveGlobal(m, n));
                        break;
                    }
                case (byte)'R': // REDUCE
                    {
                        var args = Pop("REDUCE");
                        var func = Pop("REDUCE");
                        Push(Call(func, args, isNew: false, "REDUCE"));
                        break;
                    }
                case 0x81: // NEWOBJ
                    {
                        var args = Pop("NEWOBJ");
                        var cls = Pop("NEWOBJ");
                        Push(Call(cls, args, isNew: true, "NEWOBJ"));
                        break;
                    }
                case 0x92: // NEWOBJ_EX
                    {
                        var kwargs = Pop("NEWOBJ_EX");
                        var args = Pop("NEWOBJ_EX");
                        var cls = Pop("NEWOBJ_EX");
                        if (cls is RefusedValue || args is RefusedValue) { Push(cls is RefusedValue ? cls : args); break; }
                        if (kwargs is not PickleDict { Count: 0 }) throw Error("NEWOBJ_EX with keyword arguments is not supported");
                        Push(Call(cls, args, isNew: true, "NEWOBJ_EX"));
                        break;
                    }
                case (byte)'i': // INST: class by name, arguments since MARK
                    {
                        var module = Utf8(input.ReadLine(MaxTextLine, "an INST module name"));
                        var name = Utf8(input.ReadLine(MaxTextLine, "an INST name"));
                        var args = PopMark("INST");
                        var cls = ResolveGlobal(module, name);
                        Push(Call(cls, MakeTuple(args.ToArray()), isNew: false, "INST"));
                        break;
                    }
                case (byte)'o': // OBJ: class and arguments since MARK
                    {
                        var items = PopMark("OBJ");
                        if (items.Count == 0) throw Error("OBJ without a class");
                        Push(Call(items[0], MakeTuple(items.Skip(1).ToArray()), isNew: false, "OBJ"));
                        break;
                    }
                case (byte)'b': // BUILD
                    {
                        var state = Pop("BUILD");
                        Build(Peek("BUILD"), state);
                        break;
                    }
                case (byte)'Q': // BINPERSID
                    Push(PersistentLoad(Pop("BINPERSID")));
                    break;
                case (byte)'P': // PERSID
                    Push(PersistentLoad(Ascii(input.ReadLine(MaxTextLine, "a PERSID"), "PERSID")));
                    break;
                case 0x82 or 0x83 or 0x84: // EXT1/2/4
                    throw Error("the pickle uses the copyreg extension registry (EXT opcodes), which a weights-only load refuses");
                case 0x97: // NEXT_BUFFER
                    throw Error("the pickle expects out-of-band buffers (NEXT_BUFFER), which a file cannot carry");
                case 0x98: // READONLY_BUFFER: no effect on the value
                    Peek("READONLY_BUFFER");
                    break;
                default:
                    throw Error($"unknown opcode 0x{op:x2}");
            }
        }
    }

    // ---- stack helpers -----------------------------------------------------------------

    private void Push(object? value) => stack.Add(value);

    private object? Pop(string op)
    {
        if (stack.Count == 0) throw Error($"{op} on an empty stack");
        var v = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    private object? Peek(string op) => stack.Count > 0 ? stack[^1] : throw Error($"{op} on an empty stack");

    private List<object?> PopMark(string op)
    {
        if (metastack.Count == 0) throw Error($"{op} without a MARK");
        var items = stack;
        stack = metastack[^1];
        metastack.RemoveAt(metastack.Count - 1);
        return items;
    }

    private void Memoize(long index)
    {
        if (stack.Count == 0) throw Error("memo PUT on an empty stack");
        memo[index] = stack[^1];
    }

    private object? Recall(long index) => memo.TryGetValue(index, out var v) ? v : throw Error($"memo index {index} is read before it was written");

    private void Charge(long units, string what)
    {
        copyBudget -= Math.Max(units, 1);
        if (copyBudget < 0) throw Error($"{what} copies more data than the pickle's size justifies (a memo amplification?)");
    }

    private PickleTuple MakeTuple(object?[] items)
    {
        if (items.Length == 0) return PickleTuple.Empty;
        return new PickleTuple(items);
    }

    private static string Kind(object? value) => value switch
    {
        null => "None",
        PickleDict => "a dict",
        PickleList => "a list",
        PickleTuple => "a tuple",
        PickleSet => "a set",
        PickleGlobal g => g.FullName,
        PendingTensor => "a tensor",
        StorageRef => "a storage",
        _ => "a " + value.GetType().Name switch { "Int64" => "int", "Double" => "float", "String" => "str", "Byte[]" => "bytes", "Boolean" => "bool", var n => n },
    };

    private void CheckKey(object? key, string op)
    {
        if (key is RefusedValue) return;
        if (key is PendingTensor or StorageRef) throw Error($"{op} uses a tensor as a dictionary key or set member, which this reader does not support");
        if (!PickleKeyComparer.IsHashable(key)) throw Error($"{op} uses {Kind(key)} as a key, which Python cannot hash");
        if (PickleKeyComparer.TreeSize(key) > PickleKeyComparer.MaxKeyTreeSize) throw Error($"{op} uses a key of more than {PickleKeyComparer.MaxKeyTreeSize} nested values");
    }

    private void SetItems(PickleDict dict, List<object?> items, string op) => SetItems(dict, (IReadOnlyList<object?>)items, op);

    private void SetItems(PickleDict dict, IReadOnlyList<object?> items, string op)
    {
        if (items.Count % 2 != 0) throw Error($"{op} with an odd number of items");
        for (var i = 0; i < items.Count; i += 2)
        {
            CheckKey(items[i], op);
            dict.Set(items[i], items[i + 1]);
        }
    }

    private void AddToSet(PickleSet set, object? item, string op)
    {
        CheckKey(item, op);
        set.Add(item);
    }

    private void AppendTo(object? target, IReadOnlyList<object?> items, string op)
    {
        if (target is RefusedValue) return;
        if (target is not PickleList list) throw Error($"{op} on {Kind(target)}; only lists take appends");
        list.Items.AddRange(items);
    }

    // ---- scalars -----------------------------------------------------------------------

    private static object DecodeLong(byte[] bytes)
    {
        if (bytes.Length == 0) return 0L;
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        return Normalize(value);
    }

    private static object Normalize(BigInteger value) => value >= long.MinValue && value <= long.MaxValue ? (object)(long)value : value;

    private long CheckedLength(ulong n) => n > long.MaxValue ? throw Error($"a length of {n} bytes") : (long)n;

    private object ParseInteger(string text, string op)
    {
        var t = text.Trim();
        var negative = t.StartsWith('-');
        var digits = negative || t.StartsWith('+') ? t[1..] : t;
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit)) throw Error($"{op} holds '{Truncate(text)}', not an integer");
        var value = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        return Normalize(negative ? -value : value);
    }

    private double ParseFloat(string text)
    {
        var t = text.Trim();
        switch (t.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity": return double.PositiveInfinity;
            case "-inf" or "-infinity": return double.NegativeInfinity;
            case "nan" or "+nan" or "-nan": return double.NaN;
        }
        if (t.Length == 0 || !t.All(c => char.IsAsciiDigit(c) || c is '.' or 'e' or 'E' or '+' or '-')
            || !double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            throw Error($"FLOAT holds '{Truncate(text)}', not a number");
        return d;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";

    private string Ascii(byte[] bytes, string op)
    {
        foreach (var b in bytes)
            if (b >= 0x80) throw Error($"{op} holds a non-ASCII byte");
        return Encoding.ASCII.GetString(bytes);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private string Utf8(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Error("a string is not valid UTF-8");
        }
    }

    /// <summary>Python 2 str: torch.load decodes it as UTF-8; bytes that are not UTF-8 stay bytes.</summary>
    private static object Python2String(byte[] bytes)
    {
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return bytes;
        }
    }

    /// <summary>Protocol 0's UNICODE: latin-1 text with \uXXXX and \UXXXXXXXX escapes.</summary>
    private string RawUnicodeEscape(byte[] bytes)
    {
        var sb = new StringBuilder(bytes.Length);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\\' && i + 1 < bytes.Length && (bytes[i + 1] == (byte)'u' || bytes[i + 1] == (byte)'U'))
            {
                // An odd run of backslashes before u escapes; an even one is literal.
                var run = 1;
                while (i - run >= 0 && bytes[i - run] == (byte)'\\') run++;
                if (run % 2 == 1)
                {
                    var digits = bytes[i + 1] == (byte)'u' ? 4 : 8;
                    if (i + 2 + digits > bytes.Length) throw Error("a UNICODE string ends inside an escape");
                    var hex = Encoding.ASCII.GetString(bytes, i + 2, digits);
                    if (!uint.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var cp) || cp > 0x10FFFF)
                        throw Error("a UNICODE string holds a bad escape");
                    if (cp is >= 0xD800 and <= 0xDFFF) throw Error("a UNICODE string holds a lone surrogate");
                    sb.Append(char.ConvertFromUtf32((int)cp));
                    i += 1 + digits;
                    continue;
                }
            }
            sb.Append((char)bytes[i]);
        }
        return sb.ToString();
    }

    /// <summary>Protocol 0's STRING: a Python repr in quotes, with backslash escapes.</summary>
    private byte[] QuotedString(byte[] line)
    {
        if (line.Length < 2 || line[0] != line[^1] || (line[0] != (byte)'\'' && line[0] != (byte)'"'))
            throw Error("a STRING is not in matching quotes");
        var s = line.AsSpan(1, line.Length - 2);
        var result = new List<byte>(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != (byte)'\\' || i + 1 >= s.Length)
            {
                result.Add(s[i]);
                continue;
            }
            var c = s[++i];
            switch (c)
            {
                case (byte)'\n': break;
                case (byte)'\\': result.Add((byte)'\\'); break;
                case (byte)'\'': result.Add((byte)'\''); break;
                case (byte)'"': result.Add((byte)'"'); break;
                case (byte)'a': result.Add(7); break;
                case (byte)'b': result.Add(8); break;
                case (byte)'f': result.Add(12); break;
                case (byte)'n': result.Add(10); break;
                case (byte)'r': result.Add(13); break;
                case (byte)'t': result.Add(9); break;
                case (byte)'v': result.Add(11); break;
                case (byte)'x':
                    if (i + 2 >= s.Length || !byte.TryParse(Encoding.ASCII.GetString(s.Slice(i + 1, 2)), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var x))
                        throw Error("a STRING holds a bad \\x escape");
                    result.Add(x);
                    i += 2;
                    break;
                case >= (byte)'0' and <= (byte)'7':
                    {
                        var v = c - '0';
                        for (var k = 0; k < 2 && i + 1 < s.Length && s[i + 1] >= '0' && s[i + 1] <= '7'; k++) v = v * 8 + (s[++i] - '0');
                        result.Add((byte)(v & 0xFF));
                        break;
                    }
                default:
                    result.Add((byte)'\\');
                    result.Add(c);
                    break;
            }
        }
        return result.ToArray();
    }

    // ---- globals ---------------------------------------------------------------------

    /// <summary>Python 2 module names (pickle protocol ≤ 2 writes them) and PyTorch's own renames.</summary>
    private static readonly Dictionary<string, string> ModuleRenames = new(StringComparer.Ordinal)
    {
        ["__builtin__"] = "builtins", ["exceptions"] = "builtins", ["copy_reg"] = "copyreg", ["commands"] = "subprocess",
        ["cPickle"] = "pickle", ["Queue"] = "queue", ["UserDict"] = "collections", ["UserList"] = "collections",
        ["UserString"] = "collections", ["StringIO"] = "io", ["cStringIO"] = "io", ["_winreg"] = "winreg",
        ["torch.tensor"] = "torch._tensor",
    };

    private static readonly Dictionary<(string, string), (string, string)> NameRenames = new()
    {
        [("__builtin__", "xrange")] = ("builtins", "range"),
        [("__builtin__", "reduce")] = ("functools", "reduce"),
        [("__builtin__", "intern")] = ("sys", "intern"),
        [("__builtin__", "unichr")] = ("builtins", "chr"),
        [("__builtin__", "unicode")] = ("builtins", "str"),
        [("__builtin__", "long")] = ("builtins", "int"),
        [("__builtin__", "basestring")] = ("builtins", "str"),
        [("itertools", "izip")] = ("builtins", "zip"),
        [("itertools", "imap")] = ("builtins", "map"),
        [("itertools", "ifilter")] = ("builtins", "filter"),
    };

    /// <summary>
    /// Globals a weights-only load may name: PyTorch's default allowlist, less sparse and quantized tensors, plus
    /// builtins.bytes (protocol 2's empty bytes).
    /// </summary>
    private static readonly HashSet<string> AllowedGlobals = new(StringComparer.Ordinal)
    {
        "collections.OrderedDict", "collections.Counter",
        "builtins.set", "builtins.frozenset", "builtins.bytearray", "builtins.bytes", "builtins.complex", "_codecs.encode",
        "torch._utils._rebuild_tensor", "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
        "torch._tensor._rebuild_from_type_v2",
        "torch.nn.parameter.Parameter", "torch.Tensor", "torch.Size", "torch.device",
    };

    /// <summary>Globals PyTorch's allowlist has that rebuild tensors this reader cannot hold.</summary>
    private static readonly Dictionary<string, string> UnsupportedTorchGlobals = new(StringComparer.Ordinal)
    {
        ["torch._utils._rebuild_qtensor"] = "a quantized tensor",
        ["torch._utils._rebuild_sparse_tensor"] = "a sparse tensor",
        ["torch._utils._rebuild_sparse_csr_tensor"] = "a sparse tensor",
        ["torch.serialization._get_layout"] = "a sparse tensor's layout",
        ["torch._utils._rebuild_meta_tensor_no_storage"] = "a meta tensor without data",
        ["torch._utils._rebuild_wrapper_subclass"] = "a tensor subclass without data",
        ["torch._utils._rebuild_tensor_v3"] = "a tensor with a dtype other than its storage's",
        ["torch._utils._rebuild_device_tensor_from_numpy"] = "a tensor from NumPy data",
        ["torch._utils._rebuild_device_tensor_from_cpu_tensor"] = "a device tensor",
    };

    public static (string Module, string Name) MapName(string module, string name)
    {
        if (NameRenames.TryGetValue((module, name), out var renamed)) return renamed;
        return (ModuleRenames.TryGetValue(module, out var m) ? m : module, name);
    }

    public static bool IsAllowed(string module, string name) =>
        AllowedGlobals.Contains(module + "." + name)
        || (module == "torch" && TorchNames.IsDTypeName(name))
        || TorchNames.IsStorageClass(module, name);

    private object ResolveGlobal(string writtenModule, string writtenName)
    {
        var (module, name) = MapName(writtenModule, writtenName);
        if (IsAllowed(module, name)) return new PickleGlobal(module, name);
        if (UnsupportedTorchGlobals.TryGetValue(module + "." + name, out var what))
            throw Error($"{module}.{name} rebuilds {what}, which this reader does not support (PyTorch's weights-only load allows it)");
        var refused = new RefusedValue(module + "." + name, writtenModule + "." + writtenName);
        refusals.Add(refused);
        if (deferRefusals) return refused;
        throw RefusalError(input.Source, refused, null);
    }

    public static TorchCheckpointFormatException RefusalError(string source, RefusedValue refused, string? context) =>
        new(source,
            $"the pickle{context} names {refused.Describe()}, which is not on the weights-only allowlist " +
            "(tensors, storages, dtypes, OrderedDict and plain Python data); it was refused, nothing in the file was run",
            refusedGlobal: refused.FullName);

    // ---- calls (REDUCE, NEWOBJ, INST, OBJ) ----------------------------------------------

    private object? Call(object? func, object? argsValue, bool isNew, string op)
    {
        if (func is RefusedValue refusedFunc) return refusedFunc;
        if (argsValue is RefusedValue refusedArgs) return refusedArgs;
        if (func is not PickleGlobal g) throw Error($"{op} calls {Kind(func)}, which is not callable");
        var args = argsValue switch
        {
            PickleTuple t => t.Items,
            PickleList l => l.Items.ToArray(),
            _ => throw Error($"{op} of {g.FullName} with {Kind(argsValue)} as its arguments, not a tuple"),
        };
        foreach (var a in args)
            if (a is RefusedValue r) return r;
        Charge(args.Length, g.FullName);

        switch (g.FullName)
        {
            case "collections.OrderedDict":
                return MakeDict(PickleDictKind.OrderedDict, isNew ? [] : args, g.FullName);
            case "collections.Counter":
                return MakeDict(PickleDictKind.Counter, isNew ? [] : args, g.FullName);
            case "builtins.set" or "builtins.frozenset":
                {
                    var set = new PickleSet(frozen: g.Name == "frozenset");
                    if (!isNew && args.Length > 0)
                    {
                        if (args.Length > 1) throw Error($"{g.FullName} takes one iterable");
                        foreach (var item in Iterate(args[0], g.FullName)) AddToSet(set, item, g.FullName);
                    }
                    return set;
                }
            case "builtins.bytearray" or "builtins.bytes": // protocol 2 writes b'' as bytes()
                if (isNew || args.Length == 0) return Array.Empty<byte>();
                return args switch
                {
                    [byte[] b] => Copy(b),
                    [string s, string encoding] => Encode(s, encoding),
                    _ => throw Error($"{g.Name}(...) with arguments other than bytes or (str, encoding)"),
                };
            case "_codecs.encode":
                return args switch
                {
                    [string s] => Encode(s, "utf-8"),
                    [string s, string encoding] => Encode(s, encoding),
                    [string s, string encoding, string] => Encode(s, encoding),
                    _ => throw Error("_codecs.encode(...) with arguments other than (str, encoding)"),
                };
            case "builtins.complex":
                return args switch
                {
                    [] => new Complex(0, 0),
                    [var re] => new Complex(ToDouble(re), 0),
                    [var re, var im] => new Complex(ToDouble(re), ToDouble(im)),
                    _ => throw Error("complex(...) with more than two arguments"),
                };
            case "torch._utils._rebuild_tensor":
                if (args.Length != 4) throw Error($"_rebuild_tensor takes 4 arguments, got {args.Length}");
                return RebuildTensor(args[0], args[1], args[2], args[3]);
            case "torch._utils._rebuild_tensor_v2":
                if (args.Length is < 6 or > 7) throw Error($"_rebuild_tensor_v2 takes 6 or 7 arguments, got {args.Length}");
                return RebuildTensor(args[0], args[1], args[2], args[3]);
            case "torch._utils._rebuild_parameter":
                if (args.Length != 3) throw Error($"_rebuild_parameter takes 3 arguments, got {args.Length}");
                return ExpectTensor(args[0], "_rebuild_parameter");
            case "torch._utils._rebuild_parameter_with_state":
                if (args.Length != 4) throw Error($"_rebuild_parameter_with_state takes 4 arguments, got {args.Length}");
                return ExpectTensor(args[0], "_rebuild_parameter_with_state");
            case "torch.nn.parameter.Parameter":
                if (args.Length is < 1 or > 2) throw Error("Parameter(...) without its data tensor is not supported");
                return ExpectTensor(args[0], "Parameter");
            case "torch._tensor._rebuild_from_type_v2":
                {
                    if (args.Length != 4) throw Error($"_rebuild_from_type_v2 takes 4 arguments, got {args.Length}");
                    if (args[1] is not PickleGlobal { FullName: "torch.Tensor" or "torch.nn.parameter.Parameter" })
                        throw Error($"_rebuild_from_type_v2 into {Kind(args[1])}; only torch.Tensor and nn.Parameter are supported");
                    var rebuilt = Call(args[0], args[2], isNew: false, op);
                    return rebuilt is RefusedValue ? rebuilt : ExpectTensor(rebuilt, "_rebuild_from_type_v2");
                }
            case "torch.Size":
                {
                    if (args.Length == 0) return PickleTuple.Empty;
                    if (args.Length > 1) throw Error("torch.Size takes one iterable");
                    var dims = Iterate(args[0], "torch.Size").ToArray();
                    foreach (var d in dims)
                        if (d is not long) throw Error("torch.Size holds something other than integers");
                    return MakeTuple(dims);
                }
            case "torch.device":
                return args switch
                {
                    [string type] => type,
                    [string type, long index] => $"{type}:{index}",
                    [string type, null] => type,
                    _ => throw Error("torch.device(...) with arguments other than (type[, index])"),
                };
            default:
                throw Error($"{op} calls {g.FullName}, which is a constant here, not a function");
        }
    }

    private IEnumerable<object?> Iterate(object? value, string what) => value switch
    {
        PickleList l => l.Items,
        PickleTuple t => t.Items,
        PickleSet s => s.Items,
        PickleDict d => d.Keys,
        _ => throw Error($"{what} of {Kind(value)}, which is not iterable here"),
    };

    private PickleDict MakeDict(PickleDictKind kind, object?[] args, string what)
    {
        var dict = new PickleDict(kind);
        if (args.Length == 0) return dict;
        if (args.Length > 1) throw Error($"{what} takes one argument");
        switch (args[0])
        {
            case PickleDict source:
                Charge(source.Count, what);
                foreach (var (k, v) in source) dict.Set(k, v);
                break;
            case PickleList or PickleTuple:
                // Python 2's OrderedDict.__reduce__ passes [[key, value], ...]
                foreach (var pair in Iterate(args[0], what))
                {
                    Charge(1, what);
                    var kv = pair switch
                    {
                        PickleTuple { Count: 2 } t => t.Items,
                        PickleList { Count: 2 } l => l.Items.ToArray(),
                        _ => throw Error($"{what} of a sequence whose items are not (key, value) pairs"),
                    };
                    CheckKey(kv[0], what);
                    dict.Set(kv[0], kv[1]);
                }
                break;
            default:
                throw Error($"{what} of {Kind(args[0])}");
        }
        return dict;
    }

    private byte[] Copy(byte[] bytes)
    {
        Charge(bytes.Length, "bytearray");
        return (byte[])bytes.Clone();
    }

    private byte[] Encode(string s, string encoding)
    {
        Charge(s.Length, "_codecs.encode");
        switch (encoding.ToLowerInvariant().Replace('_', '-'))
        {
            case "latin1" or "latin-1" or "iso-8859-1" or "iso8859-1" or "l1":
                var bytes = new byte[s.Length];
                for (var i = 0; i < s.Length; i++)
                    bytes[i] = s[i] <= 0xFF ? (byte)s[i] : throw Error("_codecs.encode(..., 'latin1') of a character above U+00FF");
                return bytes;
            case "utf-8" or "utf8":
                return Encoding.UTF8.GetBytes(s);
            case "ascii":
                foreach (var c in s)
                    if (c > 0x7F) throw Error("_codecs.encode(..., 'ascii') of a non-ASCII character");
                return Encoding.ASCII.GetBytes(s);
            default:
                throw Error($"_codecs.encode with the encoding '{Truncate(encoding)}', which this reader does not know");
        }
    }

    private double ToDouble(object? v) => v switch
    {
        double d => d,
        long l => l,
        bool b => b ? 1 : 0,
        BigInteger i => (double)i,
        _ => throw Error($"a number was expected, got {Kind(v)}"),
    };

    private PendingTensor ExpectTensor(object? value, string what) =>
        value as PendingTensor ?? throw Error($"{what} of {Kind(value)}, not a tensor");

    private long[] Dims(object? value, string what)
    {
        if (value is not PickleTuple and not PickleList) throw Error($"_rebuild_tensor's {what} is {Kind(value)}, not a tuple");
        var items = Iterate(value, what).ToArray();
        if (items.Length > 64) throw Error($"_rebuild_tensor's {what} has {items.Length} dimensions");
        var dims = new long[items.Length];
        for (var i = 0; i < items.Length; i++)
            dims[i] = items[i] is long l && l >= 0 ? l : throw Error($"_rebuild_tensor's {what} holds {PickleKeyComparer.Describe(items[i])}, not a non-negative integer");
        return dims;
    }

    /// <summary>A tensor view into a storage, checked to lie inside it (PyTorch would silently grow the storage).</summary>
    private PendingTensor RebuildTensor(object? storageValue, object? offsetValue, object? sizeValue, object? strideValue)
    {
        if (storageValue is not StorageRef storage) throw Error($"_rebuild_tensor of {Kind(storageValue)}, not a storage");
        if (offsetValue is not long offset || offset < 0) throw Error($"_rebuild_tensor's storage offset is {PickleKeyComparer.Describe(offsetValue)}");
        var size = Dims(sizeValue, "size");
        var stride = Dims(strideValue, "stride");
        if (size.Length != stride.Length) throw Error($"_rebuild_tensor's size has {size.Length} dimensions but its stride {stride.Length}");
        try
        {
            var empty = size.Any(s => s == 0);
            if (!empty)
            {
                var last = offset;
                for (var d = 0; d < size.Length; d++) last = checked(last + (size[d] - 1) * stride[d]);
                if (last >= storage.Numel)
                    throw Error($"a tensor of size [{string.Join(", ", size)}], stride [{string.Join(", ", stride)}] at offset {offset} " +
                                $"reaches element {last} of storage '{storage.Root.Key}', which holds {storage.Numel}");
            }
            else if (offset > storage.Numel)
            {
                throw Error($"an empty tensor at offset {offset} lies past the end of storage '{storage.Root.Key}' ({storage.Numel} elements)");
            }
            var tensor = new PendingTensor(storage.Root, checked(storage.Offset + offset), size, stride);
            Charge(size.Length, "_rebuild_tensor");
            return tensor;
        }
        catch (OverflowException)
        {
            throw Error($"a tensor of size [{string.Join(", ", size)}] and stride [{string.Join(", ", stride)}] overflows 64-bit sizes");
        }
    }

    // ---- BUILD and persistent ids ------------------------------------------------------

    private void Build(object? target, object? state)
    {
        switch (target)
        {
            case RefusedValue:
                return;
            case PickleDict dict when dict.Kind != PickleDictKind.Dict:
                // OrderedDict: inst.__dict__.update(state), e.g. {'_metadata': OrderedDict(...)} from state_dict()
                if (state is null) return;
                if (state is RefusedValue r)
                {
                    dict.SetAttribute("__refused__", r);
                    return;
                }
                if (state is not PickleDict attrs) throw Error($"BUILD of an OrderedDict with {Kind(state)} as its state");
                Charge(attrs.Count, "BUILD");
                foreach (var (k, v) in attrs)
                {
                    if (k is not string name) throw Error("BUILD of an OrderedDict with a non-string attribute name");
                    dict.SetAttribute(name, v);
                }
                return;
            case PendingTensor:
                // Plain tensors and parameters carry no state in files torch.save writes; a legacy set_() is refused.
                if (state is null || state is PickleDict { Count: 0 } || state is PickleTuple { Count: 0 }) return;
                if (state is RefusedValue) return;
                throw Error("BUILD of a tensor with a state (Python attributes or a legacy set_) is not supported");
            default:
                throw Error($"BUILD of {Kind(target)}; only OrderedDicts and tensors can be built");
        }
    }

    private object? PersistentLoad(object? pid)
    {
        if (pid is RefusedValue) return pid;
        if (pid is PickleTuple t)
            foreach (var item in t.Items)
                if (item is RefusedValue r) return r;
        try
        {
            return persistentLoad(pid);
        }
        catch (FormatException e)
        {
            throw Error(e.Message);
        }
    }
}
