using System.Diagnostics;
using System.IO.Compression;

using Workbench.Torch.Serialization;

using Xunit.Abstractions;

namespace Workbench.Torch.Tests.Serialization;

/// <summary>
/// Truncated and mutated checkpoints, both formats: every one must load or raise
/// <see cref="TorchCheckpointFormatException"/> — no other exception, no crash, no hang.
/// </summary>
public class TorchCheckpointFuzzTests(ITestOutputHelper output)
{
    private static readonly string[] LegacyFiles = ["weights_legacy.pth", "views_legacy.pth", "nested_legacy_protocol4.pt", "legacy_views.pth", "fastai_partial_legacy.pth"];
    private static readonly string[] ZipFiles = ["views.pt", "nested.pt", "weights_protocol4.pt", "fastai.pth"];

    /// <summary>Opcodes of every protocol, to splice into pickles.</summary>
    private static readonly byte[] Opcodes = "()0123FIJKLMNPQRSTUVXabcdeghijlopqrstu}]".Select(c => (byte)c)
        .Concat(Enumerable.Range(0x80, 0x19).Select(i => (byte)i)).Concat("GBC".Select(c => (byte)c)).ToArray();

    private sealed class Outcomes
    {
        public int Loaded, Rejected;
        public readonly List<string> Unexpected = new();
        public TimeSpan Slowest;
    }

    private static void Try(byte[] file, bool stateDict, string label, Outcomes o)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            using var scope = torch.NewDisposeScope();
            using var stream = new MemoryStream(file);
            if (stateDict)
            {
                foreach (var t in TorchCheckpoint.LoadStateDict(stream, "fuzz.pth").Values) _ = t.shape;
            }
            else
            {
                _ = TorchCheckpoint.Load(stream, "fuzz.pth");
            }
            o.Loaded++;
        }
        catch (TorchCheckpointFormatException e)
        {
            if (string.IsNullOrWhiteSpace(e.Problem) || !e.Message.StartsWith("fuzz.pth: ", StringComparison.Ordinal)) o.Unexpected.Add($"{label}: bare message {e.Message}");
            o.Rejected++;
        }
        catch (Exception e)
        {
            o.Unexpected.Add($"{label}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
        }
        if (watch.Elapsed > o.Slowest) o.Slowest = watch.Elapsed;
    }

    private void Report(Outcomes o, string what)
    {
        output.WriteLine($"{what}: {o.Loaded} loaded, {o.Rejected} rejected, {o.Unexpected.Count} other outcomes, slowest {o.Slowest.TotalMilliseconds:F0} ms");
        Assert.True(o.Unexpected.Count == 0, string.Join("\n", o.Unexpected.Take(10)));
        Assert.True(o.Slowest < TimeSpan.FromSeconds(10), $"one case took {o.Slowest}");
    }

    [Fact]
    public void EveryTruncationIsRefused()
    {
        var o = new Outcomes();
        foreach (var name in LegacyFiles.Concat(ZipFiles))
        {
            var file = File.ReadAllBytes(TorchCheckpointTests.PathOf(name));
            for (var cut = 0; cut < file.Length; cut++) Try(file[..cut], stateDict: cut % 2 == 0, $"{name}[..{cut}]", o);
        }
        Report(o, "truncations");
        Assert.Equal(0, o.Loaded); // every byte of these files is needed
    }

    [Fact]
    public void TruncatedPicklesInsideAZipAreRefused()
    {
        var o = new Outcomes();
        foreach (var name in ZipFiles)
        {
            var (entries, pkl) = Unzip(TorchCheckpointTests.PathOf(name));
            var pickle = entries[pkl];
            for (var cut = 0; cut < pickle.Length; cut++) Try(Rezip(entries, pkl, pickle[..cut]), stateDict: cut % 2 == 1, $"{name} data.pkl[..{cut}]", o);
        }
        Report(o, "truncated data.pkl");
        Assert.Equal(0, o.Loaded);
    }

    [Fact]
    public void MutatedFilesLoadOrRaiseOnlyTheFormatException()
    {
        var random = new Random(20240611);
        var o = new Outcomes();
        var legacy = LegacyFiles.Select(n => File.ReadAllBytes(TorchCheckpointTests.PathOf(n))).ToList();
        var zips = ZipFiles.Select(n => Unzip(TorchCheckpointTests.PathOf(n))).ToList();
        for (var i = 0; i < 10000; i++)
        {
            var kind = i % 8;
            if (i % 2 == 0)
            {
                var file = legacy[random.Next(legacy.Count)];
                Try(Mutate(kind, file, random), stateDict: i % 4 == 0, $"legacy case {i} (mutation {kind})", o);
            }
            else
            {
                var (entries, pkl) = zips[random.Next(zips.Count)];
                if (kind == 7)
                {
                    // flips in the zip structure itself
                    var bytes = Rezip(entries, pkl, entries[pkl]);
                    for (var k = random.Next(1, 4); k > 0; k--) bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                    Try(bytes, stateDict: i % 4 == 1, $"zip case {i} (zip flips)", o);
                }
                else
                {
                    Try(Rezip(entries, pkl, Mutate(kind, entries[pkl], random)), stateDict: i % 4 == 1, $"zip case {i} (mutation {kind})", o);
                }
            }
        }
        Report(o, "mutations");
        Assert.True(o.Rejected > 5000, $"only {o.Rejected} mutations were rejected: the fuzzer is too gentle");
    }

    private static byte[] Mutate(int kind, byte[] original, Random random)
    {
        var file = (byte[])original.Clone();
        switch (kind)
        {
            case 0: // bit flips
                for (var k = random.Next(1, 9); k > 0; k--) file[random.Next(file.Length)] ^= (byte)(1 << random.Next(8));
                return file;
            case 1: // a byte replaced by an opcode
                for (var k = random.Next(1, 4); k > 0; k--) file[random.Next(file.Length)] = Opcodes[random.Next(Opcodes.Length)];
                return file;
            case 2: // a slice deleted
                {
                    var at = random.Next(file.Length);
                    var n = random.Next(1, Math.Min(32, file.Length - at) + 1);
                    return file[..at].Concat(file[(at + n)..]).ToArray();
                }
            case 3: // a slice duplicated
                {
                    var at = random.Next(file.Length);
                    var n = random.Next(1, Math.Min(64, file.Length - at) + 1);
                    var to = random.Next(file.Length);
                    return file[..to].Concat(file[at..(at + n)]).Concat(file[to..]).ToArray();
                }
            case 4: // extreme integers written over 1-8 bytes (lengths, counts, memo indices)
                {
                    var at = random.Next(file.Length);
                    byte[][] patterns = [[0xff, 0xff, 0xff, 0x7f], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0, 0, 0, 0x80], [0xff], [0], [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]];
                    var p = patterns[random.Next(patterns.Length)];
                    for (var k = 0; k < p.Length && at + k < file.Length; k++) file[at + k] = p[k];
                    return file;
                }
            case 5: // random bytes spliced in
                {
                    var junk = new byte[random.Next(1, 16)];
                    random.NextBytes(junk);
                    var at = random.Next(file.Length);
                    return file[..at].Concat(junk).Concat(file[at..]).ToArray();
                }
            case 6: // opcodes spliced in
                {
                    var junk = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Opcodes[random.Next(Opcodes.Length)]).ToArray();
                    var at = random.Next(file.Length);
                    return file[..at].Concat(junk).Concat(file[at..]).ToArray();
                }
            default: // truncation plus garbage
                {
                    var junk = new byte[random.Next(0, 32)];
                    random.NextBytes(junk);
                    return file[..random.Next(file.Length)].Concat(junk).ToArray();
                }
        }
    }

    private static (Dictionary<string, byte[]> Entries, string Pickle) Unzip(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var entries = new Dictionary<string, byte[]>();
        foreach (var e in zip.Entries)
        {
            using var s = e.Open();
            var data = new byte[e.Length];
            s.ReadExactly(data);
            entries[e.FullName] = data;
        }
        return (entries, entries.Keys.Single(k => k.EndsWith("/data.pkl", StringComparison.Ordinal)));
    }

    private static byte[] Rezip(Dictionary<string, byte[]> entries, string replace, byte[] with) =>
        PickleWriter.Zip(entries.Select(p => (p.Key, p.Key == replace ? with : p.Value)).ToArray());
}
