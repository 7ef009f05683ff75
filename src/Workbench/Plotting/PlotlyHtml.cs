using System.Globalization;
using System.Text.Json.Nodes;

namespace Workbench.Plotting;

/// <summary>The &lt;div&gt; and script that draw a Plotly spec ({data, layout, config}) with the page's plotly.js.</summary>
public static class PlotlyHtml
{
    /// <summary>A div of <paramref name="height"/> px (and <paramref name="width"/> px, or the full width) drawn by Plotly.newPlot.</summary>
    public static string Div(JsonObject spec, int? width, int height)
    {
        var id = "wb-plot-" + Guid.NewGuid().ToString("N");
        var style = string.Create(CultureInfo.InvariantCulture, $"height:{height}px;width:{(width is { } w ? w + "px" : "100%")}");
        // Notebook front ends may run this before plotly.js finished loading from an earlier output: wait for it.
        return $"<div id=\"{id}\" class=\"workbench-plotly\" style=\"{style}\"></div>\n<script type=\"text/javascript\">\n(function () {{\n"
             + $"  var spec = {spec.ToJsonString()};\n"
             + $"  function draw() {{ window.Plotly.newPlot(\"{id}\", spec.data, spec.layout, spec.config); }}\n"
             + "  if (window.Plotly) { draw(); } else { var t = setInterval(function () { if (window.Plotly) { clearInterval(t); draw(); } }, 50); }\n"
             + "})();\n</script>";
    }
}
