using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Display;

namespace Workbench.Plotting;

public enum LegendPlacement { Right, Top, Bottom }

/// <summary>
/// A Plotly figure built from C#: traces on a grid of subplots, axis titles, a legend. It emits Plotly's
/// JSON schema ({data, layout, config}); <see cref="SaveHtml"/> writes a page with plotly.js inlined,
/// <see cref="ToPng"/> renders it in headless Chromium, and in a notebook it displays itself.
/// </summary>
public sealed class Figure : IMimeRenderable
{
    // Gaps between subplots as fractions of the figure; vertical leaves room for subplot titles.
    private const double HorizontalGap = 0.08;
    private const double VerticalGap = 0.12;
    private readonly List<Trace> _traces = new();
    private readonly Axis[] _xAxes;
    private readonly Axis[] _yAxes;
    private readonly string?[] _subplotTitles;

    public Figure(string? title = null) : this(1, 1, title, Array.Empty<string>()) { }

    private Figure(int rows, int columns, string? title, string[] subplotTitles)
    {
        if (rows < 1 || columns < 1) throw new ArgumentOutOfRangeException(nameof(rows), $"a figure needs at least one row and column, got {rows}x{columns}");
        if (subplotTitles.Length > rows * columns) throw new ArgumentException($"{subplotTitles.Length} subplot titles for {rows * columns} subplots", nameof(subplotTitles));
        Rows = rows;
        Columns = columns;
        Title = title;
        _xAxes = Enumerable.Range(0, rows * columns).Select(_ => new Axis()).ToArray();
        _yAxes = Enumerable.Range(0, rows * columns).Select(_ => new Axis()).ToArray();
        _subplotTitles = new string?[rows * columns];
        subplotTitles.CopyTo(_subplotTitles, 0);
    }

    /// <summary>A grid of independent subplots; titles go row by row, left to right.</summary>
    public static Figure Subplots(int rows, int columns, params string[] titles) => new(rows, columns, null, titles);

    public int Rows { get; }

    public int Columns { get; }

    public string? Title { get; set; }

    /// <summary>Pixel width (null: the notebook's full width; 800 for PNG and standalone pages).</summary>
    public int? Width { get; set; }

    public int Height { get; set; } = 450;

    public bool ShowLegend { get; set; } = true;

    public LegendPlacement Legend { get; set; } = LegendPlacement.Right;

    public IReadOnlyList<Trace> Traces => _traces;

    /// <summary>Adds a trace to the subplot at (<paramref name="row"/>, <paramref name="column"/>), both 1-based.</summary>
    public Figure Add(Trace trace, int row = 1, int column = 1)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var n = SubplotNumber(row, column);
        trace.XAxis = AxisId("x", n);
        trace.YAxis = AxisId("y", n);
        _traces.Add(trace);
        return this;
    }

    public Axis XAxis(int row = 1, int column = 1) => _xAxes[SubplotNumber(row, column) - 1];

    public Axis YAxis(int row = 1, int column = 1) => _yAxes[SubplotNumber(row, column) - 1];

    /// <summary>Sets both axis titles of one subplot.</summary>
    public Figure AxisTitles(string? x, string? y, int row = 1, int column = 1)
    {
        XAxis(row, column).Title = x;
        YAxis(row, column).Title = y;
        return this;
    }

    /// <summary>The figure as Plotly JSON: {"data": [...], "layout": {...}, "config": {...}}.</summary>
    public JsonObject ToJsonObject()
    {
        var layout = new JsonObject();
        if (Title is not null) layout["title"] = new JsonObject { ["text"] = Title };
        layout["height"] = Height;
        if (Width is { } w) layout["width"] = w;
        layout["showlegend"] = ShowLegend;
        // Plotly's default margins (80/80/100/80 px) leave little of a small figure; legends and titles
        // still push them out where needed (automargin).
        var titled = Title is not null || _subplotTitles.Any(t => t is not null);
        layout["margin"] = new JsonObject { ["l"] = 60, ["r"] = 30, ["t"] = titled ? 60 : 30, ["b"] = 50 };
        if (Legend != LegendPlacement.Right)
            layout["legend"] = new JsonObject { ["orientation"] = "h", ["x"] = 0, ["y"] = Legend == LegendPlacement.Top ? 1.02 : -0.15, ["yanchor"] = Legend == LegendPlacement.Top ? "bottom" : "top" };
        var annotations = new JsonArray();
        for (var n = 1; n <= Rows * Columns; n++)
        {
            var (x0, x1, y0, y1) = Domain(n);
            var x = _xAxes[n - 1].ToJson();
            var y = _yAxes[n - 1].ToJson();
            if (Rows * Columns > 1)
            {
                x["domain"] = new JsonArray(x0, x1);
                y["domain"] = new JsonArray(y0, y1);
                x["anchor"] = AxisId("y", n);
                y["anchor"] = AxisId("x", n);
            }
            layout[AxisName("xaxis", n)] = x;
            layout[AxisName("yaxis", n)] = y;
            if (_subplotTitles[n - 1] is { } title)
                annotations.Add(new JsonObject
                {
                    ["text"] = title, ["showarrow"] = false, ["xref"] = "paper", ["yref"] = "paper",
                    ["x"] = (x0 + x1) / 2, ["y"] = y1, ["xanchor"] = "center", ["yanchor"] = "bottom",
                });
        }
        if (annotations.Count > 0) layout["annotations"] = annotations;
        return new JsonObject
        {
            ["data"] = new JsonArray(_traces.Select(t => (JsonNode)t.ToJson()).ToArray()),
            ["layout"] = layout,
            ["config"] = new JsonObject { ["responsive"] = true, ["displaylogo"] = false },
        };
    }

    public string ToJson() => ToJsonObject().ToJsonString();

    /// <summary>A standalone HTML page with plotly.js inlined (nothing is fetched when it opens).</summary>
    public string ToHtml() => ToHtml(forImage: false);

    private string ToHtml(bool forImage)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>")
          .Append(System.Net.WebUtility.HtmlEncode(Title ?? "figure")).Append("</title></head><body style=\"margin:0\">\n");
        sb.Append(PlotlyJs.ScriptTag()).Append('\n');
        sb.Append(PlotDiv(Width ?? 800, forImage)).Append("\n</body></html>\n");
        return sb.ToString();
    }

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> (a self-contained file).</summary>
    public void SaveHtml(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, ToHtml());
    }

    /// <summary>Renders the figure to PNG bytes in headless Chromium (see <see cref="Chromium"/>).</summary>
    public byte[] ToPng() => Chromium.Screenshot(ToHtml(forImage: true), Width ?? 800, Height);

    public void SavePng(string path) => File.WriteAllBytes(path, ToPng());

    /// <summary>
    /// In a notebook: HTML that draws the figure (plotly.js is embedded in the first figure of a kernel
    /// session and reused by later ones) plus Plotly's own MIME type for front ends that render it natively.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [MimeTypes.PlainText] = ToString(),
        [MimeTypes.Html] = PlotlyJs.NotebookLoaderOnce() + PlotDiv(Width),
        [MimeTypes.Plotly] = ToJson(),
    };

    /// <summary>The figure's &lt;div&gt; and drawing script, for a page that loads plotly.js once itself (a report).</summary>
    public string ToHtmlFragment() => PlotDiv(Width);

    public override string ToString()
    {
        var kinds = string.Join(", ", _traces.Select(t => t.Name is null ? t.Type : $"{t.Type} '{t.Name}'"));
        return $"Figure{(Title is null ? "" : $" '{Title}'")} ({Rows}x{Columns}, {_traces.Count} traces{(kinds.Length > 0 ? ": " + kinds : "")})";
    }

    private string PlotDiv(int? width, bool forImage = false)
    {
        var spec = ToJsonObject();
        if (forImage) spec["config"]!["displayModeBar"] = false; // no toolbar in a picture
        return PlotlyHtml.Div(spec, width, Height);
    }

    private int SubplotNumber(int row, int column)
    {
        if (row < 1 || row > Rows || column < 1 || column > Columns)
            throw new ArgumentOutOfRangeException(nameof(row), $"subplot ({row}, {column}) is outside the {Rows}x{Columns} grid (rows and columns count from 1)");
        return (row - 1) * Columns + column;
    }

    private (double X0, double X1, double Y0, double Y1) Domain(int n)
    {
        var row = (n - 1) / Columns;
        var col = (n - 1) % Columns;
        var w = (1.0 - HorizontalGap * (Columns - 1)) / Columns;
        var h = (1.0 - VerticalGap * (Rows - 1)) / Rows;
        var x0 = col * (w + HorizontalGap);
        var y1 = 1.0 - row * (h + VerticalGap); // row 1 is the top row
        return (Math.Round(x0, 6), Math.Round(x0 + w, 6), Math.Round(y1 - h, 6), Math.Round(y1, 6));
    }

    private static string AxisId(string letter, int n) => n == 1 ? letter : letter + n.ToString(CultureInfo.InvariantCulture);

    private static string AxisName(string prefix, int n) => n == 1 ? prefix : prefix + n.ToString(CultureInfo.InvariantCulture);
}
