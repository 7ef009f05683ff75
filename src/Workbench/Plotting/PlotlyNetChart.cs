using System.Text.Json.Nodes;

using Plotly.NET;

namespace Workbench.Plotting;

/// <summary>
/// Shows and saves Plotly.NET <see cref="GenericChart"/>s the Workbench way: plotly.js comes from the local npm
/// package (<see cref="PlotlyJs"/>), never from the CDN that Plotly.NET's own HTML loads it from, and PNGs are
/// rendered by headless Chromium. In a notebook a chart shows inline through Display's formatter
/// (<c>Workbench.Display.ChartMime</c>).
/// </summary>
public static class PlotlyNetChart
{
    /// <summary>Width of pages and PNGs of charts without a layout width.</summary>
    private const int DefaultWidth = 800;

    /// <summary>The chart as Plotly JSON: {"data": [...], "layout": {...}, "config": {...}}.</summary>
    public static JsonObject ToJsonObject(this GenericChart chart) =>
        JsonNode.Parse(GenericChart.toJson(chart)) as JsonObject ?? throw new InvalidOperationException("Plotly.NET returned no JSON object");

    /// <summary>
    /// The chart's title. Plotly.NET.CSharp 0.14 has no C# form of <c>Chart.withTitle</c>; this is that F# function
    /// (its optional title font left out).
    /// </summary>
    public static GenericChart WithTitle(this GenericChart chart, string title) => Chart.withTitle(title, null).Invoke(chart);

    /// <summary>
    /// The chart's &lt;div&gt; and drawing script for a page that inlines plotly.js once itself (a report): as wide as
    /// the page (Plotly.NET's default 600 px width is dropped), as high as the chart's layout says.
    /// </summary>
    public static string ToHtmlFragment(this GenericChart chart)
    {
        var spec = chart.ToJsonObject();
        var (_, height) = Size(spec);
        (spec["layout"] as JsonObject)?.Remove("width");
        return PlotlyHtml.Div(spec, null, height);
    }

    /// <summary>A standalone page with plotly.js inlined (nothing is fetched when it opens).</summary>
    public static string ToHtmlPage(this GenericChart chart) => Page(chart.ToJsonObject());

    /// <summary>Writes <see cref="ToHtmlPage"/> to <paramref name="path"/>, a self-contained file (unlike Plotly.NET's SaveHtml, which loads plotly.js from a CDN).</summary>
    public static void SaveHtmlPage(this GenericChart chart, string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, chart.ToHtmlPage());
    }

    /// <summary>The chart as PNG bytes at its layout size, drawn by headless Chromium (see <see cref="Chromium"/>).</summary>
    public static byte[] ToPng(this GenericChart chart)
    {
        var spec = chart.ToJsonObject();
        ((JsonObject)spec["config"]!)["displayModeBar"] = false; // no toolbar in a picture
        var (width, height) = Size(spec);
        return Chromium.Screenshot(Page(spec), width ?? DefaultWidth, height);
    }

    public static void SavePng(this GenericChart chart, string path) => File.WriteAllBytes(path, chart.ToPng());

    private static string Page(JsonObject spec)
    {
        spec["config"] ??= new JsonObject();
        var (width, height) = Size(spec);
        var title = (string?)spec["layout"]?["title"]?["text"] ?? "chart";
        return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>" + System.Net.WebUtility.HtmlEncode(title) + "</title></head><body style=\"margin:0\">\n"
             + PlotlyJs.ScriptTag() + "\n" + PlotlyHtml.Div(spec, width ?? DefaultWidth, height) + "\n</body></html>\n";
    }

    internal static (int? Width, int Height) Size(JsonObject spec)
    {
        var layout = spec["layout"] as JsonObject;
        return ((int?)(double?)layout?["width"], (int?)(double?)layout?["height"] ?? 450);
    }

    internal static string Describe(JsonObject spec)
    {
        var traces = (spec["data"] as JsonArray)?.Select(t => (string?)t?["type"] ?? "trace").ToList() ?? new List<string>();
        var title = (string?)spec["layout"]?["title"]?["text"];
        return $"Plotly.NET chart{(title is null ? "" : $" '{title}'")} ({traces.Count} traces{(traces.Count > 0 ? ": " + string.Join(", ", traces) : "")})";
    }
}
