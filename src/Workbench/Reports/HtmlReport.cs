using System.Net;
using System.Text;

using Plotly.NET;

using Workbench.Display;
using Workbench.Plotting;

namespace Workbench.Reports;

/// <summary>
/// A self-contained HTML page (plotly.js and every image inlined; nothing is fetched when it opens):
/// headings, prose, tables, image grids, Plotly.NET charts and shell commands, in the order added.
/// </summary>
public sealed class HtmlReport(string title)
{
    private readonly StringBuilder body = new();
    private bool hasCharts;

    public string Title { get; } = title;

    public HtmlReport Heading(string text, int level = 2)
    {
        body.Append($"<h{level}>{WebUtility.HtmlEncode(text)}</h{level}>\n");
        return this;
    }

    public HtmlReport Paragraph(string text)
    {
        body.Append($"<p>{WebUtility.HtmlEncode(text)}</p>\n");
        return this;
    }

    /// <summary>Trusted HTML (e.g. a link list) inserted as is.</summary>
    public HtmlReport Raw(string html)
    {
        body.Append(html).Append('\n');
        return this;
    }

    public HtmlReport Table(Table table)
    {
        body.Append(table.ToMimeBundle()[MimeTypes.Html]).Append('\n');
        return this;
    }

    public HtmlReport Images(ImageGrid grid)
    {
        body.Append(grid.ToHtml()).Append('\n');
        return this;
    }

    /// <summary>A Plotly.NET chart, as wide as the page.</summary>
    public HtmlReport Chart(GenericChart chart)
    {
        hasCharts = true;
        body.Append("<div class=\"chart\">").Append(chart.ToHtmlFragment()).Append("</div>\n");
        return this;
    }

    /// <summary>Commands to copy, one per line.</summary>
    public HtmlReport Commands(params string[] lines)
    {
        body.Append("<pre class=\"commands\">").Append(WebUtility.HtmlEncode(string.Join("\n", lines))).Append("</pre>\n");
        return this;
    }

    public string ToHtml()
    {
        var page = new StringBuilder();
        page.Append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"/><title>").Append(WebUtility.HtmlEncode(Title)).Append("</title>\n");
        page.Append("<style>body{font-family:system-ui,sans-serif;max-width:1200px;margin:24px auto;padding:0 16px;color:#222}")
            .Append("table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}")
            .Append("th{background:#f3f3f3}pre.commands{background:#f6f8fa;padding:12px;border-radius:6px}")
            .Append("figure img{max-width:100%}h1{margin-bottom:4px}</style>\n");
        if (hasCharts) page.Append(PlotlyJs.ScriptTag()).Append('\n');
        page.Append("</head><body>\n<h1>").Append(WebUtility.HtmlEncode(Title)).Append("</h1>\n");
        page.Append(body).Append("</body></html>\n");
        return page.ToString();
    }

    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Torch.Serialization.AtomicFile.WriteAllText(path, ToHtml());
    }
}
