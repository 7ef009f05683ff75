using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Training;

/// <summary>
/// Resolves a flat typed config record: the record's defaults, then a JSON file, then "key=value"
/// overrides (command line). Unknown keys fail and list the known ones. The resolved config is what
/// gets saved beside every checkpoint.
/// </summary>
public static class Config
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static T Resolve<T>(T defaults, string? file = null, IEnumerable<string>? overrides = null) where T : class
    {
        var node = JsonSerializer.SerializeToNode(defaults, Json)!.AsObject();
        var known = node.Select(kv => kv.Key).ToList();
        if (file is not null)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"config file '{file}' does not exist", file);
            JsonObject fromFile;
            try
            {
                fromFile = JsonNode.Parse(File.ReadAllText(file))?.AsObject() ?? throw new JsonException("not an object");
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException)
            {
                throw new ArgumentException($"config file '{file}' is not a JSON object: {e.Message}", e);
            }
            foreach (var (key, value) in fromFile)
                node[Known(key, known, file)] = value?.DeepClone();
        }
        foreach (var assignment in overrides ?? Array.Empty<string>())
        {
            var eq = assignment.IndexOf('=');
            if (eq <= 0) throw new ArgumentException($"override '{assignment}' is not of the form key=value");
            var key = Known(assignment[..eq].Trim(), known, "the command line");
            node[key] = ParseValue(assignment[(eq + 1)..].Trim(), node[key]);
        }
        try
        {
            return node.Deserialize<T>(Json) ?? throw new ArgumentException("the config resolved to null");
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"config value has the wrong type: {e.Message}", e);
        }
    }

    public static string ToJson<T>(T config) => JsonSerializer.Serialize(config, Json);

    private static string Known(string key, List<string> known, string source)
    {
        var match = known.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
        return match ?? throw new ArgumentException($"unknown config key '{key}' in {source}; known keys: {string.Join(", ", known)}");
    }

    /// <summary>Parses an override in the type of the current value (number, bool, list), else as a string.</summary>
    private static JsonNode? ParseValue(string text, JsonNode? current)
    {
        if (current is JsonArray || text.StartsWith('[') || text.StartsWith('{'))
        {
            try
            {
                var parsed = JsonNode.Parse(text);
                // "sizes=64" parses as the number 64; a list-valued key takes it as the one-element list [64].
                if (current is not JsonArray || parsed is JsonArray) return parsed;
            }
            catch (JsonException) { }
            return new JsonArray(text.Split(',').Select(p => ParseValue(p.Trim(), null)).ToArray());
        }
        if (bool.TryParse(text, out var b)) return JsonValue.Create(b);
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l)) return JsonValue.Create(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return JsonValue.Create(d);
        return text == "null" ? null : JsonValue.Create(text);
    }
}
