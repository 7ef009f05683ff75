using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Serialization;

/// <summary>Writes pickle opcodes by hand, for checkpoints no honest torch.save produces.</summary>
internal sealed class PickleWriter
{
    private readonly List<byte> bytes = new();

    public PickleWriter Op(char op) { bytes.Add((byte)op); return this; }

    public PickleWriter Raw(params byte[] b) { bytes.AddRange(b); return this; }

    public PickleWriter Proto(int p = 2) => Raw(0x80, (byte)p);

    public PickleWriter Global(string module, string name) => Op('c').Raw(Encoding.UTF8.GetBytes(module + "\n" + name + "\n"));

    public PickleWriter Str(string s)
    {
        var utf8 = Encoding.UTF8.GetBytes(s);
        Op('X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, utf8.Length);
        return Raw(n.ToArray()).Raw(utf8);
    }

    public PickleWriter Int(long v)
    {
        if (v is >= 0 and < 256) return Op('K').Raw((byte)v);
        if (v is >= int.MinValue and <= int.MaxValue)
        {
            var b = new byte[4];
            BinaryPrimitives.WriteInt32LittleEndian(b, (int)v);
            return Op('J').Raw(b);
        }
        var l = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(l, v);
        return Raw(0x8a, 8).Raw(l);
    }

    public PickleWriter Mark() => Op('(');
    public PickleWriter Tuple() => Op('t');
    public PickleWriter EmptyTuple() => Op(')');
    public PickleWriter EmptyDict() => Op('}');
    public PickleWriter EmptyList() => Op(']');
    public PickleWriter None() => Op('N');
    public PickleWriter False() => Raw(0x89);
    public PickleWriter Reduce() => Op('R');
    public PickleWriter SetItem() => Op('s');
    public PickleWriter BinPersId() => Op('Q');
    public PickleWriter Put(byte i) => Op('q').Raw(i);
    public PickleWriter Get(byte i) => Op('h').Raw(i);
    public PickleWriter Stop() => Op('.');

    /// <summary>Pushes ('storage', torch.&lt;type&gt;, key, 'cpu', numel[, view]) and BINPERSID.</summary>
    public PickleWriter Storage(string type, string key, long numel, bool legacy, Action<PickleWriter>? view = null)
    {
        Mark().Str("storage").Global("torch", type).Str(key).Str("cpu").Int(numel);
        if (legacy)
        {
            if (view is null) None();
            else view(this);
        }
        return Tuple().BinPersId();
    }

    /// <summary>Pushes _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict()).</summary>
    public PickleWriter Tensor(string type, string key, long numel, long offset, long[] size, long[] stride, bool legacy)
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Storage(type, key, numel, legacy);
        Int(offset).Mark();
        foreach (var s in size) Int(s);
        Tuple().Mark();
        foreach (var s in stride) Int(s);
        return Tuple().False().Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce();
    }

    public byte[] ToArray() => bytes.ToArray();

    /// <summary>{name: tensor} as a complete pickle.</summary>
    public static byte[] OneTensor(string type, string key, long numel, long offset, long[] size, long[] stride, bool legacy) =>
        new PickleWriter().Proto().EmptyDict().Str("w").Tensor(type, key, numel, offset, size, stride, legacy).SetItem().Stop().ToArray();

    // ---- whole files ----

    private static readonly byte[] Magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
    private static readonly byte[] Version = [0x80, 0x02, (byte)'M', 0xe9, 0x03, (byte)'.'];
    private static readonly byte[] SysInfo = new PickleWriter().Proto().EmptyDict().Str("little_endian").Raw(0x88).SetItem().Stop().ToArray();

    /// <summary>The three header pickles of a legacy file (magic number, protocol version, sys_info).</summary>
    public static byte[] LegacyHeader() => [.. Magic, .. Version, .. SysInfo];

    /// <summary>A legacy file: header pickles, the main pickle, the key list, then (count, bytes) per storage.</summary>
    public static byte[] Legacy(byte[] main, params (string Key, long Count, byte[] Data)[] storages)
    {
        var keys = new PickleWriter().Proto().EmptyList().Mark();
        foreach (var s in storages) keys.Str(s.Key);
        var file = new List<byte>();
        file.AddRange(Magic);
        file.AddRange(Version);
        file.AddRange(SysInfo);
        file.AddRange(main);
        file.AddRange(keys.Op('e').Stop().ToArray());
        foreach (var s in storages)
        {
            var n = new byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(n, s.Count);
            file.AddRange(n);
            file.AddRange(s.Data);
        }
        return file.ToArray();
    }

    public static byte[] Zip(params (string Name, byte[] Data)[] entries)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
                s.Write(data);
            }
        }
        return ms.ToArray();
    }

    public static byte[] Floats(params float[] values)
    {
        var b = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), values[i]);
        return b;
    }
}

/// <summary>Hostile and malformed checkpoints: each is refused with <see cref="TorchCheckpointFormatException"/> and runs nothing.</summary>
public class TorchCheckpointSafetyTests
{
    public static TheoryData<string> HostileFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in TorchCheckpointTests.Expected.GetProperty("hostile").EnumerateObject()) data.Add(f.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(HostileFiles))]
    public void HostilePicklesAreRefusedNamingTheCallableAndNothingRuns(string file)
    {
        var spec = TorchCheckpointTests.Expected.GetProperty("hostile").GetProperty(file);
        var callable = spec.GetProperty("callable").GetString()!;
        var marker = spec.GetProperty("marker").GetString()!;
        var path = TorchCheckpointTests.PathOf(file);
        Assert.False(File.Exists(marker));

        using var scope = torch.NewDisposeScope();
        foreach (var load in new Action[] { () => TorchCheckpoint.Load(path), () => TorchCheckpoint.LoadStateDict(path), () => TorchCheckpoint.ListEntries(path) })
        {
            var e = Assert.Throws<TorchCheckpointFormatException>(load);
            Assert.Contains(path, e.Message);
            Assert.Contains(callable, e.Message);
            Assert.Equal(path, e.SourceName);
            Assert.NotNull(e.RefusedGlobal);
            Assert.Contains("nothing in the file was run", e.Message);
        }
        Assert.False(File.Exists(marker), $"{marker} exists: the payload ran");
    }

    [Fact]
    public void Python2NamesAreMappedAndBothSpellingsAppearInTheMessage()
    {
        var path = TorchCheckpointTests.PathOf("hostile_eval_p2.pt");
        var e = Assert.Throws<TorchCheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Equal("builtins.eval", e.RefusedGlobal);
        Assert.Contains("__builtin__.eval", e.Message);
        var system = Assert.Throws<TorchCheckpointFormatException>(() => TorchCheckpoint.Load(TorchCheckpointTests.PathOf("hostile_system_p4_legacy.pth")));
        Assert.Equal("posix.system", system.RefusedGlobal);
    }

    [Fact]
    public void FastaiOptimizerWithAPartialIsRefusedByLoadWithAPointerToLoadStateDict()
    {
        var path = TorchCheckpointTests.PathOf("fastai_partial_legacy.pth");
        var e = Assert.Throws<TorchCheckpointFormatException>(() => TorchCheckpoint.Load(path));
        Assert.Equal("functools.partial", e.RefusedGlobal);
        Assert.Contains("optimizer state ('opt'", e.Message);
        Assert.Contains("LoadStateDict", e.Message);
        using var scope = torch.NewDisposeScope();
        Assert.NotEmpty(TorchCheckpoint.LoadStateDict(path)); // the model is all that is needed
    }

    [Fact]
    public void APayloadInsideTheModelIsRefusedEvenInAFastaiFile()
    {
        var main = new PickleWriter().Proto().EmptyDict()
            .Str("model").EmptyDict().Str("w").Global("posix", "system").Str("touch x").Op('\u0085').Reduce().SetItem().SetItem()
            .Str("opt").EmptyDict().SetItem().Stop().ToArray();
        var e = Assert.Throws<TorchCheckpointFormatException>(() => LoadBytes(PickleWriter.Legacy(main), stateDict: true));
        Assert.Equal("posix.system", e.RefusedGlobal);
    }

    [Theory]
    [InlineData("builtins", "getattr")]
    [InlineData("builtins", "exec")]
    [InlineData("__builtin__", "__import__")]
    [InlineData("os", "system")]
    [InlineData("nt", "system")]
    [InlineData("subprocess", "check_output")]
    [InlineData("commands", "getoutput")]
    [InlineData("torch", "load")]
    [InlineData("torch.storage", "_load_from_bytes")]
    [InlineData("numpy.core.multiarray", "_reconstruct")]
    [InlineData("collections", "defaultdict")]
    [InlineData("torch.nn.modules.conv", "Conv2d")]
    public void AnyGlobalOffTheAllowlistIsRefused(string module, string name)
    {
        var main = new PickleWriter().Proto().Global(module, name).Str("x").Op('\u0085').Reduce().Stop().ToArray();
        foreach (var file in new[] { PickleWriter.Legacy(main), PickleWriter.Zip(("archive/data.pkl", main)) })
        {
            var e = Assert.Throws<TorchCheckpointFormatException>(() => LoadBytes(file));
            Assert.Contains(name, e.RefusedGlobal);
        }
    }

    [Fact]
    public void BuildIsOnlyForOrderedDictsAndTensors()
    {
        var main = new PickleWriter().Proto().EmptyList().EmptyDict().Op('b').Stop().ToArray();
        var e = Assert.Throws<TorchCheckpointFormatException>(() => LoadBytes(PickleWriter.Legacy(main)));
        Assert.Contains("BUILD", e.Message);
    }

    // ---- malformed files ---------------------------------------------------------------

    private static object? LoadBytes(byte[] file, bool stateDict = false)
    {
        using var scope = torch.NewDisposeScope();
        using var stream = new MemoryStream(file);
        return stateDict ? TorchCheckpoint.LoadStateDict(stream, "test.pth") : TorchCheckpoint.Load(stream, "test.pth");
    }

    /// <summary>Assert.Contains, with the whole message shown when it fails.</summary>
    private static void Has(string expected, string message) => Assert.True(message.Contains(expected, StringComparison.Ordinal), $"'{expected}' not in: {message}");

    private static string Refused(byte[] file, bool stateDict = false)
    {
        var e = Assert.Throws<TorchCheckpointFormatException>(() => LoadBytes(file, stateDict));
        Assert.StartsWith("test.pth: ", e.Message);
        return e.Message;
    }

    [Fact]
    public void HandWrittenFilesLoadInBothFormats()
    {
        var legacy = PickleWriter.Legacy(PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [2, 2], [1, 2], legacy: true), ("0", 4, PickleWriter.Floats(1, 2, 3, 4)));
        var zip = PickleWriter.Zip(("x/data.pkl", PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [2, 2], [1, 2], legacy: false)), ("x/data/0", PickleWriter.Floats(1, 2, 3, 4)));
        foreach (var file in new[] { legacy, zip })
        {
            using var scope = torch.NewDisposeScope();
            using var stream = new MemoryStream(file);
            var w = TorchCheckpoint.LoadStateDict(stream, "test.pth")["w"];
            Assert.Equal(new float[] { 1, 3, 2, 4 }, w.data<float>()); // the transposed view
        }
    }

    [Fact]
    public void EmptyAndForeignFilesAreRefused()
    {
        Has("empty", Refused([]));
        Has("not a torch.save file", Refused(Encoding.ASCII.GetBytes("hello world, not a checkpoint")));
        var tar = new byte[1024];
        Encoding.ASCII.GetBytes("ustar").CopyTo(tar, 257);
        Has("tar format", Refused(tar));
        var safetensors = new byte[] { 2, 0, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}' };
        Has("safetensors", Refused(safetensors));
        // a bare pickle without torch.save's magic number
        Has("magic number", Refused(new PickleWriter().Proto().EmptyDict().Stop().ToArray()));
    }

    [Fact]
    public void ZipArchivesWithoutAPickleOrOfTorchScriptAreRefused()
    {
        Has("no <name>/data.pkl", Refused(PickleWriter.Zip(("weights/data/0", new byte[4]))));
        Has("TorchScript", Refused(PickleWriter.Zip(("m/data.pkl", new PickleWriter().Proto().EmptyDict().Stop().ToArray()), ("m/constants.pkl", [0x80, 2, (byte)')', (byte)'.']))));
        Has("corrupt", Refused([(byte)'P', (byte)'K', 3, 4, 0, 0, 0]));
        var main = PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [4], [1], legacy: false);
        Has("has no record", Refused(PickleWriter.Zip(("a/data.pkl", main))));
    }

    [Fact]
    public void StoragesThatDeclareMoreThanTheFileHoldsAreRefusedBeforeAllocating()
    {
        // 2^40 floats (4 TiB) declared by a file of a few hundred bytes: refused at the persistent id
        var huge = PickleWriter.OneTensor("FloatStorage", "0", 1L << 40, 0, [1L << 40], [1], legacy: true);
        Has("left in the file", Refused(PickleWriter.Legacy(huge, ("0", 1L << 40, []))));
        var hugeZip = PickleWriter.OneTensor("FloatStorage", "0", 1L << 40, 0, [1L << 40], [1], legacy: false);
        Has("its record holds 16 bytes", Refused(PickleWriter.Zip(("a/data.pkl", hugeZip), ("a/data/0", new byte[16]))));
        // numel * element size overflowing 64 bits
        var overflow = PickleWriter.OneTensor("DoubleStorage", "0", long.MaxValue / 2, 0, [1], [1], legacy: false);
        Has("overflows", Refused(PickleWriter.Zip(("a/data.pkl", overflow), ("a/data/0", new byte[16]))));
        // the 8-byte count in front of the data disagrees with the pickle
        var four = PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [4], [1], legacy: true);
        Has("holds 1000000000000 elements", Refused(PickleWriter.Legacy(four, ("0", 1_000_000_000_000, PickleWriter.Floats(1, 2, 3, 4)))));
        // data cut short
        Has("truncated", Refused(PickleWriter.Legacy(four, ("0", 4, PickleWriter.Floats(1, 2)))));
    }

    [Fact]
    public void TensorsReachingOutsideTheirStorageAreRefused()
    {
        var main = PickleWriter.OneTensor("FloatStorage", "0", 4, 2, [3], [1], legacy: true);
        Has("reaches element 4", Refused(PickleWriter.Legacy(main, ("0", 4, PickleWriter.Floats(1, 2, 3, 4)))));
        var strided = PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [2, 2], [3, 1], legacy: false);
        Has("reaches element 4", Refused(PickleWriter.Zip(("a/data.pkl", strided), ("a/data/0", PickleWriter.Floats(1, 2, 3, 4)))));
        var negative = PickleWriter.OneTensor("FloatStorage", "0", 4, 0, [2], [-1], legacy: false);
        Has("not a non-negative integer", Refused(PickleWriter.Zip(("a/data.pkl", negative), ("a/data/0", PickleWriter.Floats(1, 2, 3, 4)))));
        // a huge expanded view (stride 0) of a tiny storage: more than the file justifies
        var expanded = PickleWriter.OneTensor("FloatStorage", "0", 1, 0, [1L << 36], [0], legacy: false);
        Has("justifies", Refused(PickleWriter.Zip(("a/data.pkl", expanded), ("a/data/0", PickleWriter.Floats(1)))));
    }

    [Fact]
    public void UnsupportedStorageTypesAreNamed()
    {
        var main = PickleWriter.OneTensor("ComplexFloatStorage", "0", 1, 0, [1], [1], legacy: false);
        Has("torch.ComplexFloatStorage is a storage type this reader does not support", Refused(PickleWriter.Zip(("a/data.pkl", main), ("a/data/0", new byte[8]))));
    }

    [Fact]
    public void SparseAndQuantizedTensorsAreNamedAsUnsupported()
    {
        var main = new PickleWriter().Proto().Global("torch._utils", "_rebuild_sparse_tensor").Stop().ToArray();
        Has("rebuilds a sparse tensor, which this reader does not support", Refused(PickleWriter.Legacy(main)));
        main = new PickleWriter().Proto().Global("torch._utils", "_rebuild_qtensor").Stop().ToArray();
        Has("quantized", Refused(PickleWriter.Legacy(main)));
    }

    [Fact]
    public void BoolStoragesHoldOnlyZerosAndOnes()
    {
        var main = PickleWriter.OneTensor("BoolStorage", "0", 3, 0, [3], [1], legacy: true);
        Has("other than 0 or 1", Refused(PickleWriter.Legacy(main, ("0", 3, [1, 0, 7]))));
    }

    [Fact]
    public void MemoCyclesAndBadIndicesAreRefused()
    {
        // l = []; l.append(l)
        Has("cycle", Refused(PickleWriter.Legacy(new PickleWriter().Proto().EmptyList().Put(0).Get(0).Op('a').Stop().ToArray())));
        // d = {}; d['self'] = d
        Has("cycle", Refused(PickleWriter.Legacy(new PickleWriter().Proto().EmptyDict().Put(0).Str("self").Get(0).SetItem().Stop().ToArray())));
        Has("memo index 5", Refused(PickleWriter.Legacy(new PickleWriter().Proto().Get(5).Stop().ToArray())));
        Has("empty stack", Refused(PickleWriter.Legacy(new PickleWriter().Proto().Put(0).Stop().ToArray())));
    }

    [Fact]
    public void DeepNestingIsBoundedWithoutOverflowingTheStack()
    {
        // 100,000 MARKs
        var marks = new PickleWriter().Proto();
        for (var i = 0; i < 100_000; i++) marks.Mark();
        Has("deeper than", Refused(PickleWriter.Legacy(marks.Stop().ToArray())));
        // lists nested 100,000 deep, built without MARK: [[[[...]]]]
        var lists = new PickleWriter().Proto();
        for (var i = 0; i < 100_000; i++) lists.EmptyList();
        for (var i = 1; i < 100_000; i++) lists.Op('a');
        Has("deeper than", Refused(PickleWriter.Legacy(lists.Stop().ToArray())));
        // tuples nested 100,000 deep, each (previous,)
        var tuples = new PickleWriter().Proto().EmptyTuple();
        for (var i = 0; i < 100_000; i++) tuples.Op('\u0085');
        Has("deeper than", Refused(PickleWriter.Legacy(tuples.Stop().ToArray())));
    }

    [Fact]
    public void MemoAmplificationIsBounded()
    {
        // a list of 2,000 pairs, then OrderedDict(that list) 200,000 times: 400 million copies from ~1 MB
        var w = new PickleWriter().Proto().Global("collections", "OrderedDict").Put(1).EmptyList().Put(0).Mark();
        for (var i = 0; i < 2000; i++) w.Int(i).Int(i).Op('\u0086');
        w.Op('e');
        for (var i = 0; i < 200_000; i++) w.Get(1).Get(0).Op('\u0085').Reduce().Op('0');
        Has("justifies", Refused(PickleWriter.Legacy(w.Stop().ToArray())));
    }

    [Fact]
    public void LengthsBeyondTheDataAreRefusedBeforeAllocating()
    {
        byte[] Main(params byte[] op) => new PickleWriter().Proto().Raw(op).Stop().ToArray();
        Has("only", Refused(PickleWriter.Legacy(Main((byte)'X', 0xff, 0xff, 0xff, 0x7f))));                          // BINUNICODE 2 GB
        Has("only", Refused(PickleWriter.Legacy(Main(0x8e, 0, 0, 0, 0, 0, 0, 0, 0x10))));                            // BINBYTES8 2^60
        Has("only", Refused(PickleWriter.Legacy(Main(0x8b, 0xff, 0xff, 0xff, 0x7f))));                              // LONG4 2 GB
        Has("negative length", Refused(PickleWriter.Legacy(Main((byte)'T', 0xff, 0xff, 0xff, 0xff))));              // BINSTRING -1
        Has("a length of", Refused(PickleWriter.Legacy(Main(0x8d, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)))); // BINUNICODE8 2^64-1
    }

    [Fact]
    public void UnknownOpcodesAndBrokenStreamsAreRefused()
    {
        Has("unknown opcode 0xff", Refused(PickleWriter.Legacy([0x80, 2, 0xff, (byte)'.'])));
        Has("protocol 6", Refused(PickleWriter.Legacy([0x80, 6, (byte)'N', (byte)'.'])));
        Has("without a STOP", Refused([.. PickleWriter.LegacyHeader(), 0x80, 2, (byte)'N']));
        Has("without a MARK", Refused(PickleWriter.Legacy([0x80, 2, (byte)'t', (byte)'.'])));
        Has("EXT", Refused(PickleWriter.Legacy([0x80, 2, 0x82, 1, (byte)'.'])));
        Has("persistent id", Refused(PickleWriter.Legacy(new PickleWriter().Proto().Str("x").BinPersId().Stop().ToArray())));
        Has("whole nn.Module", Refused(PickleWriter.Legacy(new PickleWriter().Proto().Mark().Str("module").None().None().None().Tuple().BinPersId().Stop().ToArray())));
    }

    [Fact]
    public void KeysPythonCannotHashAreRefused()
    {
        var main = new PickleWriter().Proto().EmptyDict().EmptyList().Int(1).SetItem().Stop().ToArray();
        Has("cannot hash", Refused(PickleWriter.Legacy(main)));
    }
}
