using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;

namespace Workbench.Display;

/// <summary>A simple table: a header row and rows of cells, shown as HTML in a notebook and aligned text elsewhere.</summary>
public sealed class Table : IMimeRenderable
{
    private readonly List<string[]> tableRows = new();

    public Table(params string[] columns)
    {
        if (columns.Length == 0) throw new ArgumentException("a table needs at least one column", nameof(columns));
        Columns = columns;
    }

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows => tableRows;

    public string? Caption { get; set; }

    /// <summary>Adds a row; numbers are formatted invariantly (doubles with 4 significant digits).</summary>
    public Table AddRow(params object?[] cells)
    {
        if (cells.Length != Columns.Count) throw new ArgumentException($"row has {cells.Length} cells, the table has {Columns.Count} columns", nameof(cells));
        tableRows.Add(cells.Select(FormatCell).ToArray());
        return this;
    }

    /// <summary>A table with one column per public readable property of <typeparamref name="T"/>.</summary>
    public static Table From<T>(IEnumerable<T> items)
    {
        var props = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray();
        if (props.Length == 0) throw new ArgumentException($"{typeof(T).Name} has no public properties to show");
        var table = new Table(props.Select(p => p.Name).ToArray());
        foreach (var item in items) table.AddRow(props.Select(p => p.GetValue(item)).ToArray());
        return table;
    }

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [MimeTypes.PlainText] = ToString(),
        [MimeTypes.Html] = ToHtml(),
    };

    public string ToHtml()
    {
        var sb = new StringBuilder("<table class=\"workbench-table\">");
        if (Caption is not null) sb.Append("<caption>").Append(WebUtility.HtmlEncode(Caption)).Append("</caption>");
        sb.Append("<thead><tr>");
        foreach (var c in Columns) sb.Append("<th>").Append(WebUtility.HtmlEncode(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in tableRows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append("<td>").Append(WebUtility.HtmlEncode(cell)).Append("</td>");
            sb.Append("</tr>");
        }
        return sb.Append("</tbody></table>").ToString();
    }

    public override string ToString()
    {
        var widths = Columns.Select((c, i) => Math.Max(c.Length, tableRows.Count == 0 ? 0 : tableRows.Max(r => r[i].Length))).ToArray();
        var sb = new StringBuilder();
        if (Caption is not null) sb.AppendLine(Caption);
        sb.AppendLine(string.Join("  ", Columns.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var row in tableRows) sb.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        return sb.ToString().TrimEnd('\n');
    }

    private static string FormatCell(object? value) => value switch
    {
        null => "",
        double d => d.ToString("G4", CultureInfo.InvariantCulture),
        float f => f.ToString("G4", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
