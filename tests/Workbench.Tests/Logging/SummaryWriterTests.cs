using System.Security.Cryptography;
using System.Text.Json;

using Workbench.Logging;
using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Logging;

/// <summary>
/// Writes runs with the SummaryWriter and reads them back with tests/reference/tfevents_reader.py, an
/// independent Python reader (own CRC32C and protobuf wire decoder, PIL for the PNGs).
/// </summary>
public sealed class SummaryWriterTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "workbench-tb-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void EveryValueKindIsReadBackByTheIndependentReader()
    {
        torch.manual_seed(7);
        using var image = torch.rand(3, 8, 12);
        using var batch = torch.rand(5, 3, 6, 7);
        using var weights = torch.randn(1000) * 3;
        var raw = new byte[] { 255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 251, 252 };
        const string text = "Épreuve **bold** — 测试";

        var run = Path.Combine(root, "run");
        var started = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using (var writer = new SummaryWriter(run))
        {
            writer.AddScalar("loss/train", 0.5, 1);
            writer.AddScalar("loss/train", 0.25, 2, walltime: 1234.5);
            writer.AddScalars("lr", new Dictionary<string, double> { ["g"] = 1e-4, ["d"] = 4e-4 }, 3);
            writer.AddImage("sample", image, 4);
            writer.AddImage("raw", raw, width: 4, height: 2, globalStep: 5);
            writer.AddImages("grid", batch, 6, nrow: 2, padding: 2);
            writer.AddHistogram("weights", weights, 7);
            writer.AddText("notes", text, 8);
            writer.AddHparams(
                new Dictionary<string, object> { ["lr"] = 1e-3, ["arch"] = "rrdb", ["ema"] = true, ["blocks"] = 23 },
                new Dictionary<string, double> { ["hparam/psnr"] = 28.5 },
                new Dictionary<string, IReadOnlyList<object>> { ["arch"] = new object[] { "rrdb", "espcn" } },
                runName: "hp", globalStep: 9);
        }

        var files = ReadRun(root);
        Assert.Equal(new[] { "run", "run/hp", "run/lr_d", "run/lr_g" }, files.Select(f => Path.GetDirectoryName(f.GetProperty("path").GetString())!).ToArray());
        foreach (var f in files)
        {
            Assert.StartsWith("events.out.tfevents.", Path.GetFileName(f.GetProperty("path").GetString()));
            Assert.Equal(0, f.GetProperty("crc_errors").GetArrayLength());
            Assert.Equal("brain.Event:2", f.GetProperty("events")[0].GetProperty("file_version").GetString());
        }

        var main = Values(files[0]);
        Assert.Equal(7, main.Count);
        AssertScalar(main[0], "loss/train", 1, 0.5);
        AssertScalar(main[1], "loss/train", 2, 0.25);
        Assert.Equal(1234.5, main[1].wallTime);
        Assert.InRange(main[0].wallTime, started - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);

        var sample = Image(main[2], "sample", 4);
        Assert.Equal((12, 8, 3), (sample.GetProperty("width").GetInt32(), sample.GetProperty("height").GetInt32(), sample.GetProperty("colorspace").GetInt32()));
        Assert.Equal((12, 8, "RGB"), (sample.GetProperty("png_width").GetInt32(), sample.GetProperty("png_height").GetInt32(), sample.GetProperty("png_mode").GetString()));
        Assert.Equal(Sha256(ExpectedPixels(image.data<float>(), 3, 8, 12)), sample.GetProperty("pixels_sha256").GetString());

        var rawImage = Image(main[3], "raw", 5);
        Assert.Equal((4, 2), (rawImage.GetProperty("png_width").GetInt32(), rawImage.GetProperty("png_height").GetInt32()));
        Assert.Equal(Sha256(raw), rawImage.GetProperty("pixels_sha256").GetString());

        // make_grid with 5 images, 2 per row, padding 2: 3 rows of 6+2 and 2 columns of 7+2 (+2).
        var grid = Image(main[4], "grid", 6);
        Assert.Equal((20, 26), (grid.GetProperty("png_width").GetInt32(), grid.GetProperty("png_height").GetInt32()));
        Assert.Equal(Sha256(ExpectedGrid(batch.data<float>(), 5, 6, 7, cols: 2, padding: 2)), grid.GetProperty("pixels_sha256").GetString());

        AssertHistogram(main[5], weights.to(ScalarType.Float64).data<double>());

        var (textValue, textStep, _) = main[6];
        Assert.Equal(8, textStep);
        Assert.Equal("notes/text_summary", textValue.GetProperty("tag").GetString());
        Assert.Equal("text", textValue.GetProperty("plugin").GetString());
        var tensor = textValue.GetProperty("tensor");
        Assert.Equal("DT_STRING", tensor.GetProperty("dtype").GetString());
        Assert.Equal(new[] { 1 }, tensor.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray());
        Assert.Equal(text, tensor.GetProperty("string_val")[0].GetString());

        AssertHparams(Values(files[1]));
        AssertScalar(Values(files[2]).Single(), "lr", 3, 4e-4);
        AssertScalar(Values(files[3]).Single(), "lr", 3, 1e-4);
    }

    [Theory]
    [InlineData("data", "data crc")]
    [InlineData("length", "length crc")]
    public void ACorruptedByteFailsTheReadersCrcCheck(string where, string expected)
    {
        var run = Path.Combine(root, "corrupt-" + where);
        string path;
        using (var writer = new SummaryWriter(run))
        {
            writer.AddScalar("a", 1.0, 1);
            writer.AddText("b", "some text to corrupt", 2);
            path = writer.FilePath;
        }
        var bytes = File.ReadAllBytes(path);
        // The first record (file_version) is 12 + n + 4 bytes; the second starts right after it.
        var second = 16 + (int)BitConverter.ToUInt64(bytes, 0);
        var offset = where == "data" ? second + 12 + 3 : second + 1;
        bytes[offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        var file = ReadRun(run).Single();
        var errors = file.GetProperty("crc_errors");
        Assert.Equal(1, errors.GetArrayLength());
        Assert.Equal(expected, errors[0].GetProperty("what").GetString());
        Assert.Equal(second, errors[0].GetProperty("offset").GetInt32());
    }

    [Fact]
    public void FlushPutsQueuedEventsOnDisk()
    {
        using var writer = new SummaryWriter(Path.Combine(root, "flush"), flushSecs: 3600, maxQueue: 1000);
        var before = new FileInfo(writer.FilePath).Length;
        writer.AddText("t", new string('x', 1000), 1);
        writer.Flush();
        Assert.True(new FileInfo(writer.FilePath).Length >= before + 1000);
    }

    [Fact]
    public void EventFileIsNamedAsTensorFlowAndPyTorchNameThem()
    {
        using var writer = new SummaryWriter(Path.Combine(root, "x"), filenameSuffix: ".v2");
        Assert.Equal(Path.Combine(root, "x"), writer.LogDir);
        Assert.Equal(writer.LogDir, Path.GetDirectoryName(writer.FilePath));
        Assert.Matches(@"^events\.out\.tfevents\.\d{10}\.[^.]+\.\d+\.\d+\.v2$", Path.GetFileName(writer.FilePath));
    }

    [Fact]
    public void RejectsBadImagesAndHparams()
    {
        using var writer = new SummaryWriter(Path.Combine(root, "bad"));
        using var twoChannels = torch.rand(2, 4, 4);
        Assert.Throws<ArgumentException>(() => writer.AddImage("x", twoChannels));
        Assert.Throws<ArgumentException>(() => writer.AddImage("x", new byte[5], 2, 2));
        Assert.Throws<ArgumentException>(() => writer.AddHparams(new Dictionary<string, object> { ["x"] = new object() }, new Dictionary<string, double>()));
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static JsonElement[] ReadRun(string dir)
    {
        var output = PythonReference.Run("tfevents_reader.py", dir);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "events.json")));
        return doc.RootElement.GetProperty("files").EnumerateArray().Select(e => e.Clone()).ToArray();
    }

    /// <summary>Summary values after the file_version event, with their step and wall time.</summary>
    private static List<(JsonElement value, long step, double wallTime)> Values(JsonElement file) =>
        file.GetProperty("events").EnumerateArray().Skip(1)
            .SelectMany(e => e.GetProperty("values").EnumerateArray().Select(v => (v, e.GetProperty("step").GetInt64(), e.GetProperty("wall_time").GetDouble())))
            .ToList();

    private static void AssertScalar((JsonElement value, long step, double wallTime) v, string tag, long step, double expected)
    {
        Assert.Equal(tag, v.value.GetProperty("tag").GetString());
        Assert.Equal(step, v.step);
        Assert.Equal("simple_value", v.value.GetProperty("kind").GetString());
        Assert.Equal((float)expected, v.value.GetProperty("simple_value").GetSingle());
    }

    private static JsonElement Image((JsonElement value, long step, double wallTime) v, string tag, long step)
    {
        Assert.Equal(tag, v.value.GetProperty("tag").GetString());
        Assert.Equal(step, v.step);
        Assert.Equal("image", v.value.GetProperty("kind").GetString());
        var image = v.value.GetProperty("image");
        Assert.True(image.GetProperty("png_valid").GetBoolean(), image.ToString());
        return image;
    }

    private static void AssertHistogram((JsonElement value, long step, double wallTime) v, double[] values)
    {
        Assert.Equal("weights", v.value.GetProperty("tag").GetString());
        Assert.Equal(7, v.step);
        var h = v.value.GetProperty("histo");
        Assert.Equal(values.Length, h.GetProperty("num").GetDouble());
        Assert.Equal(values.Min(), h.GetProperty("min").GetDouble());
        Assert.Equal(values.Max(), h.GetProperty("max").GetDouble());
        Assert.Equal(values.Sum(), h.GetProperty("sum").GetDouble(), 1e-9);
        Assert.Equal(values.Sum(x => x * x), h.GetProperty("sum_squares").GetDouble(), 1e-6);
        var limits = h.GetProperty("bucket_limit").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var counts = h.GetProperty("bucket").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Assert.Equal(limits.Length, counts.Length);
        Assert.Equal(values.Length, counts.Sum());
        // Bucket i holds limit[i-1] <= v < limit[i]; the first emitted bucket holds everything below limit[0].
        for (var i = 0; i < limits.Length; i++)
        {
            var lower = i == 0 ? double.NegativeInfinity : limits[i - 1];
            Assert.Equal(values.Count(x => x >= lower && x < limits[i]), (int)counts[i]);
        }
        Assert.True(counts[0] > 0 && counts[^1] > 0);
        // Every edge is one of TensorFlow's exponential limits (empty runs are collapsed, so not all appear).
        Assert.All(limits, l => Assert.Contains(l, Histogram.DefaultBucketLimits));
        Assert.True(limits.Length < 200, $"{limits.Length} buckets: empty runs should be collapsed");
    }

    private static void AssertHparams(List<(JsonElement value, long step, double wallTime)> values)
    {
        Assert.Equal(new[] { "_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info", "hparam/psnr" },
            values.Select(v => v.value.GetProperty("tag").GetString()).ToArray());
        Assert.All(values, v => Assert.Equal(9, v.step));
        Assert.All(values.Take(3), v => Assert.Equal("hparams", v.value.GetProperty("plugin").GetString()));

        var experiment = values[0].value.GetProperty("hparams").GetProperty("experiment");
        var infos = experiment.GetProperty("hparam_infos").EnumerateArray().ToDictionary(i => i.GetProperty("name").GetString()!, i => i);
        Assert.Equal("DATA_TYPE_FLOAT64", infos["lr"].GetProperty("type").GetString());
        Assert.Equal("DATA_TYPE_STRING", infos["arch"].GetProperty("type").GetString());
        Assert.Equal("DATA_TYPE_BOOL", infos["ema"].GetProperty("type").GetString());
        Assert.Equal("DATA_TYPE_FLOAT64", infos["blocks"].GetProperty("type").GetString());
        Assert.Equal(new[] { "rrdb", "espcn" }, infos["arch"].GetProperty("domain_discrete").EnumerateArray().Select(e => e.GetString()).ToArray());
        Assert.Equal("hparam/psnr", experiment.GetProperty("metric_infos")[0].GetProperty("tag").GetString());

        var start = values[1].value.GetProperty("hparams").GetProperty("session_start_info").GetProperty("hparams");
        Assert.Equal(1e-3, start.GetProperty("lr").GetDouble());
        Assert.Equal("rrdb", start.GetProperty("arch").GetString());
        Assert.True(start.GetProperty("ema").GetBoolean());
        Assert.Equal(23, start.GetProperty("blocks").GetDouble());

        Assert.Equal("STATUS_SUCCESS", values[2].value.GetProperty("hparams").GetProperty("session_end_info").GetProperty("status").GetString());
        AssertScalar(values[3], "hparam/psnr", 9, 28.5);
    }

    /// <summary>CHW floats in [0, 1] → HWC bytes, rounding half to even as torch.round.</summary>
    private static byte[] ExpectedPixels(float[] chw, int c, int h, int w)
    {
        var bytes = new byte[c * h * w];
        for (var y = 0; y < h; y++)
            for (var x = 0; x < w; x++)
                for (var k = 0; k < c; k++)
                    bytes[(y * w + x) * c + k] = (byte)MathF.Round(Math.Clamp(chw[(k * h + y) * w + x], 0f, 1f) * 255f, MidpointRounding.ToEven);
        return bytes;
    }

    private static byte[] ExpectedGrid(float[] nchw, int n, int h, int w, int cols, int padding)
    {
        var rows = (n + cols - 1) / cols;
        var (gh, gw) = (rows * (h + padding) + padding, cols * (w + padding) + padding);
        var grid = new byte[gh * gw * 3];
        for (var i = 0; i < n; i++)
        {
            var tile = ExpectedPixels(nchw.AsSpan(i * 3 * h * w, 3 * h * w).ToArray(), 3, h, w);
            var (top, left) = (i / cols * (h + padding) + padding, i % cols * (w + padding) + padding);
            for (var y = 0; y < h; y++) Array.Copy(tile, y * w * 3, grid, ((top + y) * gw + left) * 3, w * 3);
        }
        return grid;
    }

    private static string Sha256(byte[] data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
