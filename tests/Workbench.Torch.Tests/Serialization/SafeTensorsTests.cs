using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch.Serialization;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch.Tests.Serialization;

public class SafeTensorsTests
{
    public static TheoryData<ScalarType> DTypes => new()
    {
        ScalarType.Float64, ScalarType.Float32, ScalarType.Float16, ScalarType.BFloat16, ScalarType.Int64,
        ScalarType.Int32, ScalarType.Int16, ScalarType.Int8, ScalarType.UInt8, ScalarType.Bool,
    };

    /// <summary>A tensor's elements as raw little-endian bytes, whatever its dtype (NaN payloads included).</summary>
    internal static unsafe byte[] RawBytes(Tensor t)
    {
        var bytes = new byte[t.numel() * t.element_size()];
        fixed (byte* p = bytes) Check(wb_copy_to_host(t.Handle, p, bytes.Length));
        return bytes;
    }

    private static Tensor Sample(ScalarType dtype, params long[] shape)
    {
        using var values = torch.randn(shape, ScalarType.Float64);
        using var scaled = values * 50;
        return scaled.to(dtype);
    }

    [Theory]
    [MemberData(nameof(DTypes))]
    public void RoundTripsEveryDtypeAndOddShapes(ScalarType dtype)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var wide = Sample(dtype, 4, 3);
        var tensors = new Dictionary<string, Tensor>
        {
            ["matrix"] = Sample(dtype, 3, 5),
            ["scalar"] = Sample(dtype),               // 0-dim
            ["empty"] = Sample(dtype, 0),
            ["zero_middle"] = Sample(dtype, 2, 0, 3),
            ["rank4"] = Sample(dtype, 2, 1, 3, 2),
            ["transposed"] = wide.t(),                // not contiguous: written in logical order
        };
        var loaded = SafeTensors.LoadBytes(SafeTensors.SaveBytes(tensors));

        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(dtype, loaded[name].dtype);
            Assert.Equal(t.shape, loaded[name].shape);
            Assert.Equal(RawBytes(t), RawBytes(loaded[name]));
        }
    }

    [Fact]
    public void KeepsNaNPayloadsInfinitiesAndNegativeZeroBitForBit()
    {
        var bits = new[] { 0x7fc00000, 0x7f800001, unchecked((int)0xff800000), unchecked((int)0x80000000), 1, 0x7f7fffff };
        var values = bits.Select(BitConverter.Int32BitsToSingle).ToArray();
        using var t = torch.tensor(values);
        var loaded = SafeTensors.LoadBytes(SafeTensors.SaveBytes(new Dictionary<string, Tensor> { ["x"] = t }));
        using var x = loaded["x"];
        Assert.Equal(bits, x.data<float>().Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    [Fact]
    public void SavesAndLoadsAFileWithMetadataAndAlignedData()
    {
        var dir = Directory.CreateTempSubdirectory("wb-st-");
        try
        {
            var path = Path.Combine(dir.FullName, "weights.safetensors");
            using var a = torch.arange(6, ScalarType.Float32).reshape(2, 3);
            using var b = torch.tensor(new long[] { 1, -2, 3 });
            var metadata = new Dictionary<string, string> { ["format"] = "pt", ["step"] = "1000", ["ünïcode"] = "名前 \"quoted\"" };
            File.WriteAllText(path, "an older file that must be replaced");
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["conv_first.weight"] = a, ["b"] = b }, metadata);

            var bytes = File.ReadAllBytes(path);
            var n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            Assert.Equal(0, (8 + n) % 8); // the header is padded so tensor data starts aligned
            var (tensors, meta) = SafeTensors.LoadWithMetadata(path);
            Assert.Equal(metadata, meta);
            Assert.True(tensors["conv_first.weight"].equal(a));
            Assert.True(tensors["b"].equal(b));
            Assert.Equal(new[] { "b", "conv_first.weight" }, SafeTensors.ReadHeader(path).Entries.Select(e => e.Name));
            Assert.Single(Directory.GetFiles(dir.FullName)); // no temp file left behind
            foreach (var t in tensors.Values) t.Dispose();
        }
        finally
        {
            dir.Delete(true);
        }
    }

    [Fact]
    public void RefusesTheReservedMetadataNameAsATensorName()
    {
        using var t = torch.zeros(1);
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.SaveBytes(new Dictionary<string, Tensor> { ["__metadata__"] = t }));
        Assert.Contains("reserved", e.Message);
    }

    // ---- PyTorch interop ---------------------------------------------------------------

    [Fact]
    public void LoadsAFileWrittenByPyTorchWithIdenticalValues()
    {
        var dir = PythonReference.Run("safetensors_reference.py");
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir, "expected.json")));
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(Path.Combine(dir, "python.safetensors"));
        Assert.StartsWith("PyTorch", metadata["written_by"]);

        var names = expected.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(names.Order(StringComparer.Ordinal), tensors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("ünïcode/名前 with spaces", tensors.Keys);
        foreach (var p in expected.RootElement.EnumerateObject())
        {
            var t = tensors[p.Name];
            Assert.Equal(p.Value.GetProperty("dtype").GetString(), SafeTensorsHeader.DTypeName(t.dtype));
            Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()), t.shape);
            Assert.Equal(Convert.FromHexString(p.Value.GetProperty("hex").GetString()!), RawBytes(t));
        }
        foreach (var t in tensors.Values) t.Dispose();
    }

    [Fact]
    public void WritesAFileThatPyTorchReadsBack()
    {
        var pythonDir = PythonReference.Run("safetensors_reference.py");
        var dir = Directory.CreateTempSubdirectory("wb-st-");
        try
        {
            using var scope = torch.NewDisposeScope();
            var tensors = SafeTensors.Load(Path.Combine(pythonDir, "python.safetensors"));
            tensors["csharp.arange"] = torch.arange(24, ScalarType.Float64).reshape(2, 3, 4);
            tensors["csharp.transposed"] = torch.arange(12, ScalarType.Int32).reshape(3, 4).t();
            var path = Path.Combine(dir.FullName, "csharp.safetensors");
            SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["written_by"] = "Workbench", ["note"] = "ünïcode ✓" });

            var verified = PythonReference.Run("safetensors_reference.py", "verify", path); // exits non-zero on any mismatch
            Assert.Equal($"OK {tensors.Count} tensors", File.ReadAllText(Path.Combine(verified, "verify.txt")));
        }
        finally
        {
            dir.Delete(true);
        }
    }

    // ---- malformed files -----------------------------------------------------------------

    /// <summary>A file with this header (length-prefixed, unpadded) and <paramref name="dataLength"/> data bytes.</summary>
    internal static byte[] FileWith(string header, int dataLength = 0, byte fill = 0) => FileWith(Encoding.UTF8.GetBytes(header), dataLength, fill);

    internal static byte[] FileWith(byte[] header, int dataLength = 0, byte fill = 0)
    {
        var file = new byte[8 + header.Length + dataLength];
        BinaryPrimitives.WriteUInt64LittleEndian(file, (ulong)header.Length);
        header.CopyTo(file, 8);
        file.AsSpan(8 + header.Length).Fill(fill);
        return file;
    }

    private const string A8 = "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    public static TheoryData<string, string, int, string> MalformedHeaders => new()
    {
        { "not an object", "[1,2]", 0, "does not start with '{'" },
        { "broken json", "{\"a\":", 0, "not valid JSON" },
        { "duplicate tensor", "{" + A8 + "," + A8 + "}", 8, "appears twice" },
        { "duplicate via escape", "{" + A8 + ",\"\\u0061\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "appears twice" },
        { "duplicate field", "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "appears twice" },
        { "unknown dtype", "{\"a\":{\"dtype\":\"F8\",\"shape\":[2],\"data_offsets\":[0,2]}}", 2, "unknown dtype 'F8'" },
        { "dtype not a string", "{\"a\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "dtype is not a string" },
        { "missing field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "needs dtype, shape and data_offsets" },
        { "unknown field", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"x\":1}}", 8, "unknown field 'x'" },
        { "negative dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8, "non-negative 64-bit integer" },
        { "fractional dim", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8, "non-negative 64-bit integer" },
        { "dim beyond int64", "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8, "non-negative 64-bit integer" },
        { "string offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[\"0\",8]}}", 8, "non-negative 64-bit integer" },
        { "three offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,8]}}", 8, "at most 2" },
        { "reversed offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", 8, "end before they begin" },
        { "past the data", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4, "run past the data section" },
        { "size mismatch", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "needs 12 bytes" },
        { "overflowing shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0, "too large" },
        { "absurd empty shape", "{\"a\":{\"dtype\":\"F64\",\"shape\":[0,4611686018427387904,4],\"data_offsets\":[0,0]}}", 0, "too large" },
        { "overlap", "{" + A8 + ",\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlaps" },
        { "gap", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "belong to no tensor" },
        { "unused tail", "{" + A8 + "}", 12, "cover 8 bytes but the data section holds 12" },
        { "metadata not strings", "{\"__metadata__\":{\"step\":1000}}", 0, "is not a string" },
        { "metadata not object", "{\"__metadata__\":[]}", 0, "__metadata__ is not an object" },
        { "nesting", "{\"a\":{\"dtype\":\"F32\",\"shape\":[[[[[2]]]]],\"data_offsets\":[0,8]}}", 8, "not valid JSON" },
        { "too many dims", "{\"a\":{\"dtype\":\"F32\",\"shape\":[" + string.Join(",", Enumerable.Repeat("1", 65)) + "],\"data_offsets\":[0,4]}}", 4, "at most 64" },
    };

    [Theory]
    [MemberData(nameof(MalformedHeaders))]
    public void RejectsAMalformedHeaderWithAClearMessage(string what, string header, int dataLength, string expected)
    {
        var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(FileWith(header, dataLength)));
        Assert.True(e.Message.Contains(expected, StringComparison.Ordinal), $"{what}: '{e.Message}' lacks '{expected}'");
        Assert.StartsWith("<bytes>: ", e.Message);
    }

    [Fact]
    public void RejectsBadFramingBeforeReadingTheHeader()
    {
        Assert.Contains("fewer than the 8-byte", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(new byte[5])).Message);
        var huge = FileWith("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(huge, ulong.MaxValue);
        Assert.Contains("exceeds the 100000000-byte limit", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(huge)).Message);
        var longer = FileWith("{}");
        BinaryPrimitives.WriteUInt64LittleEndian(longer, 3);
        Assert.Contains("runs past the end of the file", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(longer)).Message);
        var invalidUtf8 = FileWith(new byte[] { (byte)'{', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)':', (byte)'1', (byte)'}' });
        Assert.Contains("not valid UTF-8", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(invalidUtf8)).Message);
    }

    [Fact]
    public void RejectsBoolBytesOtherThanZeroOrOne()
    {
        var file = FileWith("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3, fill: 2);
        Assert.Contains("BOOL", Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.LoadBytes(file)).Message);
    }

    [Fact]
    public void NamesTheFileInTheMessage()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wb-st-truncated-{Environment.ProcessId}.safetensors");
        try
        {
            using var t = torch.ones(4);
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = t });
            var bytes = File.ReadAllBytes(path);
            File.WriteAllBytes(path, bytes[..^3]);
            var e = Assert.Throws<SafeTensorsFormatException>(() => SafeTensors.Load(path));
            Assert.StartsWith(path + ": not a valid safetensors file:", e.Message);
            Assert.Equal(path, e.SourceName);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
