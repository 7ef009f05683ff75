using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;

using Workbench.Torch.Serialization;

using Xunit.Abstractions;

namespace Workbench.Torch.Tests.Serialization;

/// <summary>
/// 1,000 mutated files: every one must either load or raise <see cref="SafeTensorsFormatException"/>
/// — no other exception type, no crash, no out-of-bounds read.
/// </summary>
public class SafeTensorsFuzzTests(ITestOutputHelper output)
{
    private const int Cases = 1000;

    private static readonly string[] Junk =
    {
        "0", "-1", "1.5", "1e400", "18446744073709551616", "9223372036854775807", "4294967296", "null", "true",
        "\"F32\"", "\"BF16\"", "[]", "[0]", "[1,2,3]", "{}", "[-1,4]", "[9223372036854775807,9223372036854775807]",
    };

    private static byte[] BaseFile()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        return SafeTensors.SaveBytes(new Dictionary<string, Tensor>
        {
            ["f32"] = torch.randn(2, 3),
            ["i64"] = torch.tensor(new long[] { 1, -2, 3 }),
            ["mask"] = torch.tensor(new[] { true, false, true, true }),
            ["bf16.scalar"] = torch.tensor(1.5).to(ScalarType.BFloat16),
            ["empty"] = torch.zeros(new long[] { 0, 4 }, ScalarType.UInt8),
            ["h"] = torch.randn(5).half(),
        }, new Dictionary<string, string> { ["step"] = "12" });
    }

    [Fact]
    public void MutatedFilesLoadOrRaiseOnlyTheFormatException()
    {
        var original = BaseFile();
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(original);
        var random = new Random(20240611);
        var unexpected = new List<string>();
        int loaded = 0, rejected = 0;
        for (var i = 0; i < Cases; i++)
        {
            var kind = i % 8;
            var file = Mutate(kind, original, headerLength, random);
            try
            {
                using var scope = torch.NewDisposeScope();
                var tensors = SafeTensors.LoadBytes(file);
                foreach (var t in tensors.Values) _ = t.shape; // a loaded file must be fully usable
                loaded++;
            }
            catch (SafeTensorsFormatException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Problem));
                rejected++;
            }
            catch (Exception e)
            {
                unexpected.Add($"case {i} (mutation {kind}): {e.GetType().Name}: {e.Message}");
            }
        }
        output.WriteLine($"{loaded} mutated files loaded, {rejected} rejected with SafeTensorsFormatException, {unexpected.Count} other outcomes");
        Assert.True(unexpected.Count == 0, string.Join("\n", unexpected.Take(20)));
        Assert.Equal(Cases, loaded + rejected);
        Assert.True(rejected > Cases / 2, $"only {rejected} of {Cases} mutations were rejected: the fuzzer is too gentle");
    }

    private static byte[] Mutate(int kind, byte[] original, int headerLength, Random random)
    {
        var file = (byte[])original.Clone();
        switch (kind)
        {
            case 0: // bit flips in the tensor data: mostly still valid files (a BOOL byte other than 0/1 is not)
                for (var k = random.Next(1, 9); k > 0; k--) file[8 + headerLength + random.Next(file.Length - 8 - headerLength)] ^= (byte)(1 << random.Next(8));
                return file;
            case 1: // bit flips inside the JSON header
                for (var k = random.Next(1, 4); k > 0; k--) file[8 + random.Next(headerLength)] ^= (byte)(1 << random.Next(8));
                return file;
            case 2: // truncation
                return file[..random.Next(file.Length)];
            case 3: // a random or edge-case header length
                ulong[] lengths = { 0, 1, 2, (ulong)headerLength - 1, (ulong)headerLength + 1, (ulong)file.Length, ulong.MaxValue, 1UL << 63, 100_000_001, (ulong)random.NextInt64() };
                BinaryPrimitives.WriteUInt64LittleEndian(file, lengths[random.Next(lengths.Length)]);
                return file;
            case 4: // a random JSON value replaced by junk of another type or size
                return WithHeader(file, headerLength, ReplaceRandomValue(Header(file, headerLength), random));
            case 5: // random bytes spliced into the header text
                var text = Header(file, headerLength);
                var at = random.Next(text.Length);
                return WithHeader(file, headerLength, text[..at] + Junk[random.Next(Junk.Length)] + text[random.Next(at, text.Length)..]);
            case 6: // garbage appended, or the data section resized
                var extra = new byte[random.Next(1, 64)];
                random.NextBytes(extra);
                return random.Next(2) == 0 ? file.Concat(extra).ToArray() : file[..(8 + headerLength + random.Next(file.Length - 8 - headerLength))];
            default: // pure noise with a plausible length prefix
                var noise = new byte[random.Next(8, 256)];
                random.NextBytes(noise);
                BinaryPrimitives.WriteUInt64LittleEndian(noise, (ulong)random.Next(noise.Length));
                if (random.Next(2) == 0 && noise.Length > 8) noise[8] = (byte)'{';
                return noise;
        }
    }

    private static string Header(byte[] file, int headerLength) => Encoding.UTF8.GetString(file, 8, headerLength);

    /// <summary>Replaces the header, keeping the data section, with a correct length prefix.</summary>
    private static byte[] WithHeader(byte[] file, int headerLength, string header) =>
        SafeTensorsTests.FileWith(Encoding.UTF8.GetBytes(header)).Concat(file[(8 + headerLength)..]).ToArray();

    private static string ReplaceRandomValue(string header, Random random)
    {
        var root = JsonNode.Parse(header)!.AsObject();
        var entry = root.ElementAt(random.Next(root.Count)).Value!.AsObject();
        var field = entry.ElementAt(random.Next(entry.Count));
        var junk = JsonNode.Parse(Junk[random.Next(Junk.Length)]);
        if (field.Value is JsonArray array && array.Count > 0 && random.Next(2) == 0)
            array[random.Next(array.Count)] = junk; // one shape dim or offset
        else
            entry[field.Key] = junk;
        return root.ToJsonString();
    }
}
