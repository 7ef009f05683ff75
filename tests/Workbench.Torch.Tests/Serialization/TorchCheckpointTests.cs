using System.Numerics;
using System.Security.Cryptography;
using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Serialization;

/// <summary>Checkpoints written by python3-torch 1.13 (tests/reference/write_torch_checkpoints.py), read bit for bit.</summary>
public class TorchCheckpointTests
{
    internal static string Dir => PythonReference.Run("write_torch_checkpoints.py");

    internal static JsonElement Expected { get; } = LoadExpected();

    private static JsonElement LoadExpected()
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Dir, "expected.json")));
        return doc.RootElement.Clone();
    }

    internal static string PathOf(string file) => Path.Combine(Dir, file);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in Expected.GetProperty("files").EnumerateObject()) data.Add(f.Name);
        return data;
    }

    private static ScalarType DTypeOf(string name) => name switch
    {
        "float32" => ScalarType.Float32, "float64" => ScalarType.Float64, "float16" => ScalarType.Float16,
        "bfloat16" => ScalarType.BFloat16, "int64" => ScalarType.Int64, "int32" => ScalarType.Int32,
        "int16" => ScalarType.Int16, "int8" => ScalarType.Int8, "uint8" => ScalarType.UInt8, "bool" => ScalarType.Bool,
        _ => throw new ArgumentException(name),
    };

    private static void AssertMatches(JsonElement spec, Tensor t, string what)
    {
        Assert.True(DTypeOf(spec.GetProperty("dtype").GetString()!) == t.dtype, $"{what}: dtype {t.dtype}");
        Assert.Equal(spec.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray(), t.shape);
        Assert.True(t.is_contiguous(), $"{what} is not contiguous");
        var hash = Convert.ToHexStringLower(SHA256.HashData(SafeTensorsTests.RawBytes(t)));
        Assert.True(spec.GetProperty("sha256").GetString() == hash, $"{what}: the bytes differ from PyTorch's");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadStateDictMatchesPyTorchBitForBit(string file)
    {
        var spec = Expected.GetProperty("files").GetProperty(file).GetProperty("state_dict");
        using var scope = torch.NewDisposeScope();
        var sd = TorchCheckpoint.LoadStateDict(PathOf(file));
        var names = spec.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names, sd.Keys.ToList()); // same names, in the file's order
        foreach (var p in spec.EnumerateObject()) AssertMatches(p.Value, sd[p.Name], $"{file}:{p.Name}");
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void ListEntriesNamesEveryStateDictTensorWithoutReadingIt(string file)
    {
        var spec = Expected.GetProperty("files").GetProperty(file).GetProperty("state_dict");
        var entries = TorchCheckpoint.ListEntries(PathOf(file));
        Assert.Equal(spec.EnumerateObject().Select(p => p.Name), entries.Select(e => e.Name));
        foreach (var e in entries)
        {
            var s = spec.GetProperty(e.Name);
            Assert.Equal(DTypeOf(s.GetProperty("dtype").GetString()!), e.DType);
            Assert.Equal(s.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), e.Shape);
        }
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void LoadReadsTheWholeObjectWithEveryTopLevelTensor(string file)
    {
        if (file == "fastai_partial_legacy.pth") return; // refused by Load: see the safety tests
        var top = Expected.GetProperty("files").GetProperty(file).GetProperty("top");
        using var scope = torch.NewDisposeScope();
        var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(PathOf(file)));
        foreach (var p in top.EnumerateObject()) AssertMatches(p.Value, Assert.IsType<Tensor>(root[p.Name]), $"{file}:{p.Name}");
    }

    [Fact]
    public void ZipTopFolderIsNamedAfterTheSavedFile()
    {
        using var z = System.IO.Compression.ZipFile.OpenRead(PathOf("weights.pt"));
        Assert.StartsWith("weights/", z.Entries[0].FullName);
        Assert.DoesNotContain(z.Entries, e => e.FullName.StartsWith("archive/", StringComparison.Ordinal));
        using var scope = torch.NewDisposeScope();
        Assert.Equal(13, TorchCheckpoint.LoadStateDict(PathOf("weights.pt")).Count);
    }

    [Fact]
    public void StateDictKeepsItsMetadataAndOrder()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var file in new[] { "state_dict.pth", "state_dict_legacy.pth" })
        {
            var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(PathOf(file)));
            Assert.Equal(PickleDictKind.OrderedDict, root.Kind);
            var metadata = Assert.IsType<PickleDict>(root.Attributes["_metadata"]);
            var expected = Expected.GetProperty("files").GetProperty(file).GetProperty("metadata");
            Assert.Equal(expected.EnumerateObject().Select(p => p.Name), metadata.Keys.Cast<string>());
            foreach (var p in expected.EnumerateObject())
            {
                var inner = Assert.IsType<PickleDict>(metadata[p.Name]);
                Assert.Equal(p.Value.GetProperty("version").GetInt64(), inner["version"]);
            }
            var bn = Assert.IsType<Tensor>(root["1.num_batches_tracked"]);
            Assert.Equal(ScalarType.Int64, bn.dtype);
            Assert.Empty(bn.shape);
            Assert.Equal(1L, bn.item<long>());
        }
    }

    [Fact]
    public void ViewsIntoOneStorageComeBackAsIndependentContiguousTensors()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var file in new[] { "views.pt", "views_legacy.pth" })
        {
            var sd = TorchCheckpoint.LoadStateDict(PathOf(file));
            Assert.Equal(Enumerable.Range(2, 8).Select(i => (float)i), sd["a"].data<float>().ToArray());
            Assert.Equal(new long[] { 5, 4 }, sd["b"].shape); // t.view(4, 5).t()
            Assert.Equal(new float[] { 0, 5, 10, 15, 1, 6 }, sd["b"].data<float>().Take(6).ToArray());
            Assert.Equal(new float[] { 5, 7, 9, 10, 12, 14 }, sd["d"].data<float>().ToArray()); // view(4, 5)[1:3, ::2]
            Assert.Equal(new float[] { 19 }, sd["e"].data<float>().ToArray());
            // Each result owns its memory: writing one leaves the others as they were.
            sd["c"].zero_();
            Assert.Equal(2f, sd["a"].data<float>()[0]);
            Assert.Equal(5f, sd["b"].data<float>()[1]);
        }
    }

    [Fact]
    public void LegacyStorageViewsAreReadAtTheirOffsets()
    {
        using var scope = torch.NewDisposeScope();
        var sd = TorchCheckpoint.LoadStateDict(PathOf("legacy_views.pth"));
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (float)i), sd["whole"].data<float>().ToArray());
        Assert.Equal(new float[] { 5, 8, 6, 9 }, sd["in_view"].data<float>().ToArray());
        Assert.Equal(Enumerable.Range(4, 6).Select(i => (float)i), sd["again"].data<float>().ToArray());
    }

    [Fact]
    public void PublishedWrappersAreUnwrapped()
    {
        using var scope = torch.NewDisposeScope();
        // BasicSR: params_ema is preferred over params (the file's params_ema is params + 1)
        var ema = TorchCheckpoint.LoadStateDict(PathOf("basicsr.pth"));
        var plain = TorchCheckpoint.LoadStateDict(PathOf("state_dict.pth"));
        Assert.Equal(plain.Keys, ema.Keys);
        Assert.Equal(plain["0.weight"].data<float>().Select(v => v + 1), ema["0.weight"].data<float>().ToArray());
        // DataParallel's module. prefix is stripped; the wrapper's epoch (an int) is dropped
        var dp = TorchCheckpoint.LoadStateDict(PathOf("state_dict_wrapper.pth"));
        Assert.Equal(plain.Keys, dp.Keys);
        // nn.Parameter values; the int beside them is dropped
        var parameters = TorchCheckpoint.LoadStateDict(PathOf("parameters.pth"));
        Assert.Equal(new[] { "w", "b" }, parameters.Keys);
        Assert.False(parameters["w"].requires_grad);
    }

    [Fact]
    public void FastaiLearnerFilesGiveTheModelAndSkipTheOptimizer()
    {
        using var scope = torch.NewDisposeScope();
        var plain = TorchCheckpoint.LoadStateDict(PathOf("state_dict.pth"));
        foreach (var file in new[] { "fastai.pth", "fastai_legacy.pth", "fastai_partial_legacy.pth" })
            Assert.Equal(plain.Keys, TorchCheckpoint.LoadStateDict(PathOf(file)).Keys);

        // Load reads the optimizer state too, where it holds only allowlisted things
        var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(PathOf("fastai.pth")));
        var opt = Assert.IsType<PickleDict>(root["opt"]);
        var state = Assert.IsType<PickleDict>(opt["state"]);
        var first = Assert.IsType<PickleDict>(state[0L]); // integer keys
        Assert.IsType<Tensor>(first["exp_avg"]);
        var group = Assert.IsType<PickleDict>(Assert.IsType<PickleList>(opt["param_groups"])[0]);
        Assert.Equal(1e-3, group["lr"]);
        Assert.Equal(false, group["amsgrad"]);
        Assert.IsType<PickleTuple>(group["betas"]);
    }

    [Fact]
    public void PlainPythonValuesMapToTheObjectModel()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var file in new[] { "nested.pt", "nested_legacy_protocol4.pt", "nested_protocol5.pt" })
        {
            var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(PathOf(file)));
            var list = Assert.IsType<PickleList>(root["list"]);
            Assert.Equal(1L, list[0]);
            Assert.Equal(2.5, list[1]);
            Assert.Equal("x", list[2]);
            Assert.Null(list[3]);
            Assert.Equal(true, list[4]);
            Assert.Equal(false, list[5]);
            var pair = Assert.IsType<PickleTuple>(list[6]);
            Assert.Equal(new object?[] { 1L, "two" }, pair.ToArray());
            Assert.Equal(new byte[] { 0, 0xff, (byte)'a', (byte)'b' }, root["bytes"]);
            Assert.Equal(Array.Empty<byte>(), root["no_bytes"]);
            Assert.Equal(BigInteger.Pow(2, 70), root["big"]);
            Assert.Equal(-BigInteger.Pow(2, 65), root["neg_big"]);
            Assert.Equal(-5L, root["neg"]);
            Assert.Equal(-0.125, root["float"]);
            Assert.Equal("ünïcode ✓", root["unicode"]);
            var set = Assert.IsType<PickleSet>(root["set"]);
            Assert.False(set.IsFrozen);
            Assert.True(set.Contains(3L) && set.Contains(4L) && set.Count == 2);
            var frozen = Assert.IsType<PickleSet>(root["frozen"]);
            Assert.True(frozen.IsFrozen && frozen.Contains("q"));
            var nested = Assert.IsType<PickleDict>(root["nested"]);
            Assert.Equal("int key", nested[7L]);
            Assert.Equal("int key", nested[7.0]); // Python's key equality: 7 == 7.0
            var tupleKey = nested.Keys.OfType<PickleTuple>().Single();
            Assert.Equal("tuple key", nested[tupleKey]);
            var inner = Assert.IsType<PickleList>(Assert.IsType<PickleDict>(nested["a"])["b"]);
            var t = Assert.IsType<Tensor>(inner[0]);
            var row = Assert.IsType<Tensor>(inner[1]);
            Assert.Equal(new long[] { 0, 1, 2, 3, 4, 5 }, t.data<long>().ToArray());
            Assert.Equal(new long[] { 3, 4, 5 }, row.data<long>().ToArray());
            Assert.Same(t, root["t"]); // one pickled object, one tensor
            Assert.Equal(new object?[] { 2L, 3L }, Assert.IsType<PickleTuple>(root["size"]).ToArray());
            var dtype = Assert.IsType<PickleGlobal>(root["dtype"]);
            Assert.Equal("torch.float16", dtype.FullName);
            Assert.Equal(ScalarType.Float16, dtype.DType);
        }
    }

    [Fact]
    public void BareStoragesBecomeOneDimensionalTensors()
    {
        using var scope = torch.NewDisposeScope();
        foreach (var file in new[] { "storage.pt", "storage_legacy.pth" })
        {
            var root = Assert.IsType<PickleDict>(TorchCheckpoint.Load(PathOf(file)));
            var storage = Assert.IsType<Tensor>(root["storage"]);
            Assert.Equal(new float[] { 0, 1, 2, 3, 4 }, storage.data<float>());
        }
    }

    [Fact]
    public void LittleEndianByteorderRecordIsAcceptedAndBigIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(13, TorchCheckpoint.LoadStateDict(PathOf("byteorder_little.pt")).Count);
        var e = Assert.Throws<TorchCheckpointFormatException>(() => TorchCheckpoint.LoadStateDict(PathOf("byteorder_big.pt")));
        Assert.Contains("big-endian", e.Message);
        Assert.Contains(PathOf("byteorder_big.pt"), e.Message);
    }

    [Fact]
    public void ReadsFromAStreamToo()
    {
        using var scope = torch.NewDisposeScope();
        using var stream = new MemoryStream(File.ReadAllBytes(PathOf("weights_legacy.pth")));
        var sd = TorchCheckpoint.LoadStateDict(stream, "in-memory");
        Assert.Equal(ScalarType.BFloat16, sd["bfloat16"].dtype);
        Assert.Equal(new[] { true, false, true }, sd["bool"].data<bool>().ToArray());
    }

    [Fact]
    public void TensorsOutliveTheCallAndBelongToTheCurrentScope()
    {
        Tensor kept;
        using (var scope = torch.NewDisposeScope())
        {
            var sd = TorchCheckpoint.LoadStateDict(PathOf("weights.pt"));
            kept = sd["float32"].MoveToOuterDisposeScope();
            Assert.False(sd["int64"].IsDisposed);
        }
        Assert.False(kept.IsDisposed);
        Assert.Equal(new long[] { 3, 4 }, kept.shape);
        kept.Dispose();
    }
}
