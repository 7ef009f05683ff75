using System.Text.Json.Nodes;

using Plotly.NET;

using Workbench.Display;

namespace Workbench.Plotting;

/// <summary>
/// Shows a Plotly.NET <see cref="GenericChart"/> the way Workbench shows its figures: plotly.js comes from the
/// local npm package (embedded in the first figure of a kernel session), never from a CDN as Plotly.NET's own
/// HTML would load it; Plotly's MIME type goes along for front ends that draw it natively.
/// </summary>
public static class PlotlyNetChart
{
    /// <summary>The chart as Plotly JSON: {"data": [...], "layout": {...}, "config": {...}}.</summary>
    public static JsonObject ToJsonObject(GenericChart chart) =>
        JsonNode.Parse(GenericChart.toJson(chart)) as JsonObject ?? throw new InvalidOperationException("Plotly.NET returned no JSON object");

    public static IReadOnlyDictionary<string, string> ToMimeBundle(GenericChart chart)
    {
        var spec = ToJsonObject(chart);
        var layout = spec["layout"] as JsonObject;
        var width = (int?)(double?)layout?["width"];
        var height = (int?)(double?)layout?["height"] ?? 450;
        return new Dictionary<string, string>
        {
            [MimeTypes.PlainText] = Describe(spec),
            [MimeTypes.Html] = PlotlyJs.NotebookLoaderOnce() + PlotlyHtml.Div(spec, width, height),
            [MimeTypes.Plotly] = spec.ToJsonString(),
        };
    }

    /// <summary>A standalone page with plotly.js inlined (nothing is fetched when it opens).</summary>
    public static string ToHtmlPage(GenericChart chart)
    {
        var spec = ToJsonObject(chart);
        var layout = spec["layout"] as JsonObject;
        var width = (int?)(double?)layout?["width"] ?? 800;
        var height = (int?)(double?)layout?["height"] ?? 450;
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/></head><body style=\"margin:0\">\n" + PlotlyJs.ScriptTag() + "\n"
             + PlotlyHtml.Div(spec, width, height) + "\n</body></html>\n";
    }

    private static string Describe(JsonObject spec)
    {
        var traces = (spec["data"] as JsonArray)?.Select(t => (string?)t?["type"] ?? "trace").ToList() ?? new List<string>();
        var title = (string?)spec["layout"]?["title"]?["text"];
        return $"Plotly.NET chart{(title is null ? "" : $" '{title}'")} ({traces.Count} traces{(traces.Count > 0 ? ": " + string.Join(", ", traces) : "")})";
    }
}
