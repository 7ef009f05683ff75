using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Plotly.NET.CSharp;

using Workbench.Plotting;
using Workbench.Torch.Serialization;

using GenericChart = Plotly.NET.GenericChart;

namespace Workbench.Experiments;

/// <summary>One curve or set of bars of an experiment's figure: which panel it goes to, its name and its points.</summary>
/// <param name="Panel">Subplot it belongs to (e.g. "validation PSNR-Y"); panels are drawn in order of first appearance.</param>
/// <param name="Name">Legend entry (the variant).</param>
/// <param name="X">X values (steps, epochs), or positions of <paramref name="Labels"/> for bars.</param>
/// <param name="Y">Y values (means over seeds where there are several).</param>
/// <param name="YError">± error bars (standard deviation over seeds); null for none.</param>
/// <param name="Labels">Category names for a bar chart; null for a line.</param>
public sealed record ExperimentSeries(string Panel, string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y, IReadOnlyList<double>? YError = null, IReadOnlyList<string>? Labels = null);

/// <summary>
/// What an experiment found, in a form every consumer can take: a table (rows of strings under named columns),
/// figure data (<see cref="ExperimentSeries"/>, drawn with Plotly.NET, one chart per panel), the claim from the
/// seed notes it tests (quoted in the original and translated), the settings it ran with, and a verdict written
/// from the numbers. <see cref="Save"/> writes report.json, table.csv, series.csv, figure-N.json, report.html and
/// report.md into a folder.
/// </summary>
public sealed class ExperimentReport
{
    private readonly List<IReadOnlyList<string>> rows = new();
    private readonly List<ExperimentSeries> series = new();
    private readonly Dictionary<string, (string X, string Y)> axes = new();

    public ExperimentReport(string name, string title, IReadOnlyList<string> columns)
    {
        Name = name;
        Title = title;
        Columns = columns;
    }

    /// <summary>Short id: the CLI name and the folder under runs/experiments.</summary>
    public string Name { get; }

    public string Title { get; }

    /// <summary>The notes' claim, quoted in the original Russian.</summary>
    public string Claim { get; init; } = "";

    /// <summary>The claim in English.</summary>
    public string ClaimTranslation { get; init; } = "";

    /// <summary>Where in the seeds the claim is.</summary>
    public string ClaimSource { get; init; } = "seeds/superresolution-gan-notes.ru.txt";

    /// <summary>Every setting that changes the numbers (sizes, iterations, seeds, data, machine threads).</summary>
    public Dictionary<string, string> Settings { get; } = new();

    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string>> Rows => rows;

    public IReadOnlyList<ExperimentSeries> Series => series;

    /// <summary>What the numbers say, next to the claim; written by the experiment from its results.</summary>
    public string Verdict { get; set; } = "";

    /// <summary>Smoke mode: tiny sizes, the numbers mean nothing.</summary>
    public bool Smoke { get; init; }

    /// <summary>When the experiment started (UTC).</summary>
    public DateTime Date { get; init; } = DateTime.UtcNow;

    public TimeSpan Elapsed { get; set; }

    /// <summary>Where the TensorBoard runs of the experiment are.</summary>
    public string? RunsDirectory { get; init; }

    public void AddRow(params string[] cells)
    {
        if (cells.Length != Columns.Count) throw new ArgumentException($"a row of {cells.Length} cells for {Columns.Count} columns ({string.Join(", ", Columns)})");
        rows.Add(cells);
    }

    public void Add(ExperimentSeries s) => series.Add(s);

    /// <summary>Axis titles of a panel.</summary>
    public void SetAxes(string panel, string x, string y) => axes[panel] = (x, y);

    /// <summary>A panel's axis titles ("" where none were set).</summary>
    public (string X, string Y) Axes(string panel) => axes.GetValueOrDefault(panel, ("", ""));

    public IReadOnlyList<string> Panels => series.Select(s => s.Panel).Distinct().ToList();

    /// <summary>
    /// A panel drawn with Plotly.NET: a line per series (± error bars where there are several seeds) or grouped bars.
    /// NaN values stay in the data (Plotly.NET writes them as "NaN"), and plotly.js leaves a gap there.
    /// </summary>
    public GenericChart PanelChart(string panel)
    {
        var traces = series.Where(s => s.Panel == panel).Select(s =>
        {
            var chart = s.Labels is not null
                ? Chart.Column<double, string, string>(s.Y, Keys: s.Labels.ToArray(), Name: s.Name)
                : Chart.Line<double, double, string>(s.X, s.Y, Name: s.Name, ShowMarkers: s.X.Count <= 30);
            return s.YError is null ? chart : Plotly.NET.Chart.withYError(DataErrors(s.YError)).Invoke(chart);
        }).ToList();
        var (x, y) = Axes(panel);
        return Chart.Combine(traces)
            .WithXAxisStyle<double, double, string>(TitleText: x)
            .WithYAxisStyle<double, double, string>(TitleText: y)
            .WithSize(Height: 400)
            .WithTitle($"{Title}: {panel}");
    }

    /// <summary>Plotly's error_y {type: "data", array}; Plotly.NET.CSharp has no C# form of Error.init, so its properties are set by name.</summary>
    private static Plotly.NET.TraceObjects.Error DataErrors(IReadOnlyList<double> values)
    {
        var error = new Plotly.NET.TraceObjects.Error();
        error.SetProperty("type", "data");
        error.SetProperty("array", values.ToArray());
        error.SetProperty("visible", true);
        return error;
    }

    public JsonObject ToJson()
    {
        var settings = new JsonObject();
        foreach (var (k, v) in Settings) settings[k] = v;
        return new JsonObject
        {
            ["name"] = Name,
            ["title"] = Title,
            ["date"] = Date.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
            ["smoke"] = Smoke,
            ["elapsed_seconds"] = Math.Round(Elapsed.TotalSeconds, 1),
            ["claim"] = Claim,
            ["claim_translation"] = ClaimTranslation,
            ["claim_source"] = ClaimSource,
            ["settings"] = settings,
            ["columns"] = Array(Columns.Select(c => (JsonNode?)JsonValue.Create(c))),
            ["rows"] = Array(rows.Select(r => (JsonNode?)Array(r.Select(c => (JsonNode?)JsonValue.Create(c))))),
            ["series"] = Array(series.Select(s => (JsonNode?)new JsonObject
            {
                ["panel"] = s.Panel,
                ["name"] = s.Name,
                ["x"] = Numbers(s.X),
                ["y"] = Numbers(s.Y),
                ["y_error"] = s.YError is null ? null : Numbers(s.YError),
                ["labels"] = s.Labels is null ? null : Array(s.Labels.Select(l => (JsonNode?)JsonValue.Create(l))),
            })),
            ["verdict"] = Verdict,
            ["runs"] = RunsDirectory,
        };
    }

    /// <summary>The table as GitHub markdown, with the claim, settings and verdict (for docs/experiments.md).</summary>
    public string ToMarkdown()
    {
        var md = new StringBuilder();
        md.AppendLine($"### {Title}{(Smoke ? " (smoke run: sizes too small to mean anything)" : "")}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Started {Date:yyyy-MM-dd HH:mm} UTC, took {Elapsed.TotalMinutes:F1} min. Claim ({ClaimSource}):");
        md.AppendLine();
        md.AppendLine($"> {Claim}");
        md.AppendLine(">");
        md.AppendLine($"> — {ClaimTranslation}");
        md.AppendLine();
        md.AppendLine("Settings: " + string.Join("; ", Settings.Select(kv => $"{kv.Key} = {kv.Value}")) + ".");
        md.AppendLine();
        md.AppendLine("| " + string.Join(" | ", Columns) + " |");
        md.AppendLine("|" + string.Concat(Columns.Select(_ => "---|")));
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row) + " |");
        md.AppendLine();
        md.AppendLine($"Verdict: {Verdict}");
        return md.ToString();
    }

    /// <summary>Writes the report files into <paramref name="directory"/> (created); returns the HTML page's path.</summary>
    public string Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var indented = new JsonSerializerOptions { WriteIndented = true };
        AtomicFile.WriteAllText(Path.Combine(directory, "report.json"), ToJson().ToJsonString(indented));
        AtomicFile.WriteAllText(Path.Combine(directory, "report.md"), ToMarkdown());
        AtomicFile.WriteAllText(Path.Combine(directory, "table.csv"), Csv(Columns, rows));
        var points = series.SelectMany(s => s.Y.Select((y, i) => (IReadOnlyList<string>)
        [
            s.Panel, s.Name, s.Labels?[i] ?? F(s.X[i]), F(y), s.YError is null ? "" : F(s.YError[i]),
        ])).ToList();
        AtomicFile.WriteAllText(Path.Combine(directory, "series.csv"), Csv(["panel", "series", "x", "y", "y_error"], points));
        var panels = Panels;
        for (var i = 0; i < panels.Count; i++)
            AtomicFile.WriteAllText(Path.Combine(directory, $"figure-{i + 1}.json"), PanelChart(panels[i]).ToJsonObject().ToJsonString(indented));
        var html = Path.Combine(directory, "report.html");
        AtomicFile.WriteAllText(html, ToHtml());
        return html;
    }

    /// <summary>
    /// A self-contained page: claim, settings, table, verdict, and each panel drawn by plotly.js, which is inlined
    /// (nothing loads from a CDN). Where plotly.js is not installed (no tools/npm), the page says so and points to
    /// the figure-N.json files instead.
    /// </summary>
    public string ToHtml()
    {
        string? plotly;
        try { plotly = PlotlyJs.ScriptTag(); }
        catch (FileNotFoundException) { plotly = null; }
        static string E(string s) => WebUtility.HtmlEncode(s);
        var h = new StringBuilder();
        h.AppendLine("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + E(Title) + "</title>");
        h.AppendLine("<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}th{background:#eee}blockquote{color:#444}</style>");
        if (plotly is not null) h.AppendLine(plotly);
        h.AppendLine("</head><body>");
        h.AppendLine($"<h1>{E(Title)}</h1>");
        if (Smoke) h.AppendLine("<p><b>Smoke run</b>: sizes too small for the numbers to mean anything.</p>");
        h.AppendLine($"<p>Started {E(Date.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC, took {E(Elapsed.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture))} min. Claim ({E(ClaimSource)}):</p>");
        h.AppendLine($"<blockquote lang=\"ru\">{E(Claim)}</blockquote><blockquote>{E(ClaimTranslation)}</blockquote>");
        h.AppendLine("<ul>" + string.Concat(Settings.Select(kv => $"<li>{E(kv.Key)}: {E(kv.Value)}</li>")) + "</ul>");
        h.AppendLine("<table><tr>" + string.Concat(Columns.Select(c => $"<th>{E(c)}</th>")) + "</tr>");
        foreach (var row in rows) h.AppendLine("<tr>" + string.Concat(row.Select(c => $"<td>{E(c)}</td>")) + "</tr>");
        h.AppendLine("</table>");
        h.AppendLine($"<p><b>Verdict:</b> {E(Verdict)}</p>");
        var panels = Panels;
        for (var i = 0; i < panels.Count; i++)
        {
            h.AppendLine($"<h3>{E(panels[i])}</h3>");
            if (plotly is null) h.AppendLine($"<p>plotly.js was not found when this page was written (./run.sh setup installs it): the chart is in <a href=\"figure-{i + 1}.json\">figure-{i + 1}.json</a>.</p>");
            else h.AppendLine(PanelChart(panels[i]).ToHtmlFragment());
        }
        h.AppendLine("</body></html>");
        return h.ToString();
    }

    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static JsonArray Numbers(IEnumerable<double> values) =>
        Array(values.Select(v => (JsonNode?)(double.IsFinite(v) ? JsonValue.Create(v) : null)));

    private static JsonArray Array(IEnumerable<JsonNode?> items) => new(items.ToArray());

    private static string Csv(IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        static string Cell(string c) => c.IndexOfAny([',', '"', '\n']) >= 0 ? "\"" + c.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : c;
        var csv = new StringBuilder();
        csv.AppendLine(string.Join(",", columns.Select(Cell)));
        foreach (var row in rows) csv.AppendLine(string.Join(",", row.Select(Cell)));
        return csv.ToString();
    }
}
