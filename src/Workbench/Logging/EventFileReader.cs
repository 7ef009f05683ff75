using System.Buffers.Binary;

using Workbench.Logging.Protos;

namespace Workbench.Logging;

/// <summary>One tag of a run: what kind of values it holds and where they went.</summary>
public sealed record TagSummary(string Run, string Tag, string Kind, int Count, long FirstStep, long LastStep, double? LastValue, double? Min, double? Max);

/// <summary>
/// Reads TensorBoard event files back (TFRecord framing with both CRCs checked), for people without
/// TensorBoard at hand and for reports. A torn last record (a writer killed mid-write) is skipped,
/// as TensorBoard does; a bad CRC anywhere else is an error naming the file and offset.
/// </summary>
public static class EventFileReader
{
    public static IEnumerable<Event> ReadEvents(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
        var header = new byte[12];
        var footer = new byte[4];
        while (true)
        {
            var offset = stream.Position;
            if (!ReadFully(stream, header)) yield break;
            var length = BinaryPrimitives.ReadUInt64LittleEndian(header);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(8)) != TfRecord.MaskedCrc32C(header.AsSpan(0, 8)))
                throw new InvalidDataException($"{path}: record length CRC mismatch at byte {offset}");
            if (length > (ulong)(stream.Length - stream.Position)) yield break; // torn final record
            var data = new byte[length];
            if (!ReadFully(stream, data) || !ReadFully(stream, footer)) yield break;
            if (BinaryPrimitives.ReadUInt32LittleEndian(footer) != TfRecord.MaskedCrc32C(data))
                throw new InvalidDataException($"{path}: record data CRC mismatch at byte {offset}");
            yield return Event.Parser.ParseFrom(data);
        }
    }

    /// <summary>Every tag in every event file under <paramref name="runDirectory"/> (sub-runs included).</summary>
    public static IReadOnlyList<TagSummary> Summarize(string runDirectory)
    {
        if (!Directory.Exists(runDirectory)) throw new DirectoryNotFoundException($"run folder '{runDirectory}' does not exist");
        var files = Directory.EnumerateFiles(runDirectory, "events.out.tfevents.*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new FileNotFoundException($"no TensorBoard event files (events.out.tfevents.*) under '{runDirectory}'");
        var tags = new Dictionary<(string run, string tag), List<(long step, string kind, double? value)>>();
        foreach (var file in files)
        {
            var run = Path.GetRelativePath(runDirectory, Path.GetDirectoryName(file)!);
            foreach (var e in ReadEvents(file))
            {
                if (e.Summary is null) continue;
                foreach (var v in e.Summary.Value)
                {
                    var (kind, value) = v.ValueCase switch
                    {
                        Summary.Types.Value.ValueOneofCase.SimpleValue => ("scalar", (double?)v.SimpleValue),
                        Summary.Types.Value.ValueOneofCase.Image => ("image", null),
                        Summary.Types.Value.ValueOneofCase.Histo => ("histogram", null),
                        Summary.Types.Value.ValueOneofCase.Tensor => (v.Metadata?.PluginData?.PluginName is { Length: > 0 } plugin ? plugin : "tensor", null),
                        _ => ("other", null),
                    };
                    var key = (run == "." ? "" : run, v.Tag);
                    if (!tags.TryGetValue(key, out var list)) tags[key] = list = new();
                    list.Add((e.Step, kind, value));
                }
            }
        }
        return tags.OrderBy(t => t.Key.run, StringComparer.Ordinal).ThenBy(t => t.Key.tag, StringComparer.Ordinal).Select(t =>
        {
            var values = t.Value.Where(x => x.value.HasValue).Select(x => x.value!.Value).ToList();
            return new TagSummary(t.Key.run, t.Key.tag, t.Value[0].kind, t.Value.Count, t.Value.Min(x => x.step), t.Value.Max(x => x.step),
                values.Count > 0 ? t.Value.Last(x => x.value.HasValue).value : null, values.Count > 0 ? values.Min() : null, values.Count > 0 ? values.Max() : null);
        }).ToList();
    }

    private static bool ReadFully(Stream stream, byte[] buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0) return false;
            read += n;
        }
        return true;
    }
}
