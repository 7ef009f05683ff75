using System.Text.Json.Nodes;

namespace Workbench.Plotting;

/// <summary>One Plotly trace. Each subclass writes the attributes of Plotly's JSON schema for its type.</summary>
public abstract class Trace
{
    /// <summary>Plotly's trace type ("scatter", "bar", ...).</summary>
    public abstract string Type { get; }

    /// <summary>The legend entry.</summary>
    public string? Name { get; set; }

    /// <summary>Whether this trace has a legend entry (null: Plotly decides).</summary>
    public bool? ShowLegend { get; set; }

    /// <summary>Plotly's subplot axis ids ("x", "x2", ...), set by <see cref="Figure.Add(Trace, int, int)"/>.</summary>
    internal string XAxis { get; set; } = "x";

    internal string YAxis { get; set; } = "y";

    internal JsonObject ToJson()
    {
        var json = new JsonObject { ["type"] = Type };
        if (Name is not null) json["name"] = Name;
        if (ShowLegend is { } show) json["showlegend"] = show;
        if (XAxis != "x") json["xaxis"] = XAxis;
        if (YAxis != "y") json["yaxis"] = YAxis;
        WriteAttributes(json);
        return json;
    }

    protected abstract void WriteAttributes(JsonObject json);

    internal static JsonArray Array<T>(IEnumerable<T> values) => new(values.Select(v => JsonValue.Create(v)).ToArray<JsonNode?>());
}

public enum ScatterMode { Lines, Markers, LinesAndMarkers }

/// <summary>A line or scatter plot (Plotly "scatter").</summary>
public sealed class Scatter : Trace
{
    public Scatter(IEnumerable<double> x, IEnumerable<double> y, ScatterMode mode = ScatterMode.Lines)
    {
        X = x.ToArray();
        Y = y.ToArray();
        if (X.Length != Y.Length) throw new ArgumentException($"x has {X.Length} points, y has {Y.Length}");
        Mode = mode;
    }

    /// <summary>A line over x = 0, 1, 2, ... (a loss curve, for example).</summary>
    public static Scatter Line(IEnumerable<double> y, string? name = null)
    {
        var values = y.ToArray();
        return new Scatter(Enumerable.Range(0, values.Length).Select(i => (double)i), values) { Name = name };
    }

    public double[] X { get; }

    public double[] Y { get; }

    public ScatterMode Mode { get; set; }

    /// <summary>A CSS color for the line and markers.</summary>
    public string? Color { get; set; }

    public double? LineWidth { get; set; }

    public double? MarkerSize { get; set; }

    public override string Type => "scatter";

    protected override void WriteAttributes(JsonObject json)
    {
        json["x"] = Array(X);
        json["y"] = Array(Y);
        json["mode"] = Mode switch { ScatterMode.Lines => "lines", ScatterMode.Markers => "markers", _ => "lines+markers" };
        if (Color is not null || LineWidth is not null)
        {
            var line = new JsonObject();
            if (Color is not null) line["color"] = Color;
            if (LineWidth is { } w) line["width"] = w;
            json["line"] = line;
        }
        if (Color is not null || MarkerSize is not null)
        {
            var marker = new JsonObject();
            if (Color is not null) marker["color"] = Color;
            if (MarkerSize is { } s) marker["size"] = s;
            json["marker"] = marker;
        }
    }
}

/// <summary>A bar chart over categories (Plotly "bar").</summary>
public sealed class Bar : Trace
{
    public Bar(IEnumerable<string> categories, IEnumerable<double> values)
    {
        Categories = categories.ToArray();
        Values = values.ToArray();
        if (Categories.Length != Values.Length) throw new ArgumentException($"{Categories.Length} categories but {Values.Length} values");
    }

    public string[] Categories { get; }

    public double[] Values { get; }

    /// <summary>Horizontal bars (categories on the y axis).</summary>
    public bool Horizontal { get; set; }

    public string? Color { get; set; }

    public override string Type => "bar";

    protected override void WriteAttributes(JsonObject json)
    {
        json[Horizontal ? "y" : "x"] = Array(Categories);
        json[Horizontal ? "x" : "y"] = Array(Values);
        if (Horizontal) json["orientation"] = "h";
        if (Color is not null) json["marker"] = new JsonObject { ["color"] = Color };
    }
}

/// <summary>A heatmap of a matrix, row 0 at the bottom as Plotly draws it (Plotly "heatmap").</summary>
public sealed class Heatmap : Trace
{
    public Heatmap(double[,] z)
    {
        Z = z;
    }

    public double[,] Z { get; }

    /// <summary>Column labels (optional).</summary>
    public IReadOnlyList<string>? XLabels { get; set; }

    /// <summary>Row labels (optional).</summary>
    public IReadOnlyList<string>? YLabels { get; set; }

    /// <summary>A Plotly colorscale name: "Viridis", "Greys", "RdBu", ...</summary>
    public string ColorScale { get; set; } = "Viridis";

    public bool ShowScale { get; set; } = true;

    public override string Type => "heatmap";

    protected override void WriteAttributes(JsonObject json)
    {
        var rows = new JsonArray();
        for (var r = 0; r < Z.GetLength(0); r++)
        {
            var row = new JsonArray();
            for (var c = 0; c < Z.GetLength(1); c++) row.Add(Z[r, c]);
            rows.Add(row);
        }
        json["z"] = rows;
        if (XLabels is not null) json["x"] = Array(XLabels);
        if (YLabels is not null) json["y"] = Array(YLabels);
        json["colorscale"] = ColorScale;
        json["showscale"] = ShowScale;
    }
}

/// <summary>An RGB picture drawn on the axes, one pixel per unit (Plotly "image").</summary>
public sealed class ImageTrace : Trace
{
    private readonly string? _source;
    private readonly byte[,,]? _rgb;

    /// <summary>From PNG bytes (embedded as a data URI, so the figure stays self-contained).</summary>
    public ImageTrace(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        _source = "data:image/png;base64," + Convert.ToBase64String(png);
    }

    /// <summary>From pixels laid out [row, column, channel] with 3 channels (RGB, 0-255).</summary>
    public ImageTrace(byte[,,] rgb)
    {
        if (rgb.GetLength(2) != 3) throw new ArgumentException($"expected 3 channels (RGB), got {rgb.GetLength(2)}", nameof(rgb));
        _rgb = rgb;
    }

    public override string Type => "image";

    protected override void WriteAttributes(JsonObject json)
    {
        if (_source is not null)
        {
            json["source"] = _source;
            return;
        }
        var pixels = _rgb!;
        var rows = new JsonArray();
        for (var r = 0; r < pixels.GetLength(0); r++)
        {
            var row = new JsonArray();
            for (var c = 0; c < pixels.GetLength(1); c++) row.Add(new JsonArray((int)pixels[r, c, 0], (int)pixels[r, c, 1], (int)pixels[r, c, 2]));
            rows.Add(row);
        }
        json["z"] = rows;
    }
}
