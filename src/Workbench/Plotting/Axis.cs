using System.Text.Json.Nodes;

namespace Workbench.Plotting;

/// <summary>One axis of one subplot (Plotly layout.xaxis / layout.yaxis2 / ...).</summary>
public sealed class Axis
{
    public string? Title { get; set; }

    public bool LogScale { get; set; }

    /// <summary>Fixed range (null: autorange).</summary>
    public (double Min, double Max)? Range { get; set; }

    /// <summary>Draw y increasing downwards, as images are laid out.</summary>
    public bool Reversed { get; set; }

    internal JsonObject ToJson()
    {
        var json = new JsonObject();
        if (Title is not null) json["title"] = new JsonObject { ["text"] = Title };
        if (LogScale) json["type"] = "log";
        if (Range is { } r) json["range"] = new JsonArray(r.Min, r.Max);
        if (Reversed) json["autorange"] = "reversed";
        return json;
    }
}
