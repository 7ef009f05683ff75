using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Workbench.Kernel.Dispatch;

/// <summary>The cells run in this kernel session, for history_request (tail, range and glob search).</summary>
internal sealed class ExecutionHistory
{
    /// <summary>This kernel keeps one in-memory session; 0 in a request means "the current one".</summary>
    public const int Session = 1;

    private readonly List<(int Line, string Input, string? Output)> entries = new();
    private readonly object gate = new();

    public void Add(int line, string input, string? output)
    {
        lock (gate) entries.Add((line, input, output));
    }

    public JsonArray Query(JsonObject request)
    {
        var output = request["output"] is JsonValue o && o.TryGetValue<bool>(out var b) && b;
        var kind = (string?)request["hist_access_type"] ?? "tail";
        List<(int Line, string Input, string? Output)> entries;
        lock (gate) entries = this.entries.ToList();
        IEnumerable<(int Line, string Input, string? Output)> selected = kind switch
        {
            "tail" => entries.TakeLast(Int(request, "n", 10)),
            "range" => Range(entries, request),
            "search" => Search(entries, request),
            _ => Array.Empty<(int, string, string?)>(),
        };
        var result = new JsonArray();
        foreach (var (line, input, text) in selected)
            result.Add(new JsonArray(Session, line, output ? new JsonArray(input, text) : JsonValue.Create(input)));
        return result;
    }

    private static IEnumerable<(int Line, string Input, string? Output)> Range(List<(int Line, string Input, string? Output)> entries, JsonObject request)
    {
        var session = Int(request, "session", 0);
        if (session is not (0 or Session)) return Array.Empty<(int, string, string?)>();
        var start = Int(request, "start", 1);
        var stop = request["stop"] is null ? int.MaxValue : Int(request, "stop", int.MaxValue);
        return entries.Where(e => e.Line >= start && e.Line < stop);
    }

    private static IEnumerable<(int Line, string Input, string? Output)> Search(List<(int Line, string Input, string? Output)> entries, JsonObject request)
    {
        var pattern = (string?)request["pattern"] ?? "*";
        var regex = new Regex("^" + Regex.Escape(pattern).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.Singleline);
        var found = entries.Where(e => regex.IsMatch(e.Input));
        if (request["unique"] is JsonValue u && u.TryGetValue<bool>(out var unique) && unique)
            found = found.Reverse().DistinctBy(e => e.Input).Reverse();
        return request["n"] is null ? found : found.TakeLast(Int(request, "n", 10));
    }

    private static int Int(JsonObject o, string key, int fallback) =>
        o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : fallback;
}
