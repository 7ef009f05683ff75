using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// One line on what a safetensors file holds, from its metadata (and keys), for errors that say what a file is and
/// what was expected instead of dumping its keys: "a colorize model (DynamicUnet)", "a x2 super-resolution network
/// (espcn)", "a colorize training checkpoint", "weights without metadata (7 tensors: layers.0.weight, ...)".
/// </summary>
public static class WeightsDescription
{
    /// <summary>The metadata entry every training checkpoint has (Training.Checkpoint writes it; Models sits below Training).</summary>
    private const string CheckpointKey = "workbench.checkpoint";

    /// <summary>What the file is, in a few words (<paramref name="metadata"/> as read, or <see cref="ModelRegistry.Normalise"/>d).</summary>
    public static string Describe(IReadOnlyDictionary<string, string> metadata, IReadOnlyCollection<string> keys)
    {
        metadata = ModelRegistry.Normalise(metadata);
        if (metadata.ContainsKey(CheckpointKey))
            return metadata.TryGetValue(ModelRegistry.TaskKey, out var trained) ? $"a {trained} training checkpoint" : "a training checkpoint";
        if (metadata.TryGetValue(ModelRegistry.ArchKey, out var arch))
            return metadata.GetValueOrDefault(ModelRegistry.TaskKey) is ModelRegistry.Tasks.SuperResolution or null
                ? $"a {(metadata.TryGetValue("scale", out var s) ? "x" + s + " " : "")}super-resolution network ('{arch}')"
                : $"a {metadata[ModelRegistry.TaskKey]} model ({arch})";
        return $"weights without metadata ({keys.Count} tensor(s): {Examples(keys.Order(StringComparer.Ordinal).ToList(), 3)})";
    }

    /// <summary>True when the file describes itself as something other than a super-resolution network.</summary>
    public static bool IsNonSuperResolutionModel(IReadOnlyDictionary<string, string> metadata)
    {
        metadata = ModelRegistry.Normalise(metadata);
        return metadata.TryGetValue(ModelRegistry.TaskKey, out var task) && task != ModelRegistry.Tasks.SuperResolution;
    }

    /// <summary>A state_dict mismatch in one line: counts and a few key names, not the full lists.</summary>
    public static string Summarize(nn.StateDictException e)
    {
        var parts = new List<string>();
        if (e.missing_keys.Count > 0) parts.Add($"{e.missing_keys.Count} expected key(s) missing ({Examples(e.missing_keys, 3)})");
        if (e.unexpected_keys.Count > 0) parts.Add($"{e.unexpected_keys.Count} unexpected key(s) ({Examples(e.unexpected_keys, 3)})");
        // Shape mismatches: PyTorch's message has one line per tensor after its heading.
        var details = e.Message.Split('\n').Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
        if (parts.Count == 0 && details.Count > 0) parts.Add(Shorten(details[0]) + (details.Count > 1 ? $" (and {details.Count - 1} more)" : ""));
        return parts.Count > 0 ? string.Join(", ", parts) : Shorten(e.Message);
    }

    private static string Shorten(string text)
    {
        var line = text.Split('\n')[0];
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    private static string Examples(IReadOnlyList<string> items, int n) =>
        string.Join(", ", items.Take(n)) + (items.Count > n ? ", …" : "");
}
