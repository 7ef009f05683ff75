using System.Text.Json.Nodes;

using Workbench.Experiments;

namespace Workbench.Tests.Experiments;

public sealed class ExperimentReportTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static ExperimentReport Example()
    {
        var report = new ExperimentReport("demo", "Demo", ["variant", "score"]) { Claim = "утверждение, с запятой", ClaimTranslation = "a claim" };
        report.Settings["seeds"] = "2";
        report.AddRow("a", "1.0 ± 0.1");
        report.AddRow("b, \"quoted\"", "2.0");
        report.Add(new ExperimentSeries("curve", "a", [1, 2, 3], [0.5, 0.6, 0.7], [0.01, 0.02, 0.03]));
        report.Add(new ExperimentSeries("curve", "b", [1, 2, 3], [0.4, 0.5, double.NaN]));
        report.Add(new ExperimentSeries("bars", "score", [0, 1], [1, 2], Labels: ["a", "b"]));
        report.SetAxes("curve", "epoch", "accuracy");
        report.Verdict = "b wins";
        return report;
    }

    [Fact]
    public void SaveWritesJsonCsvMarkdownHtmlAndOnePlotlyFigurePerPanel()
    {
        var html = Example().Save(dir);
        foreach (var file in new[] { "report.json", "report.md", "table.csv", "series.csv", "figure-1.json", "figure-2.json", "report.html" })
            Assert.True(File.Exists(Path.Combine(dir, file)), file);
        Assert.Equal(Path.Combine(dir, "report.html"), html);

        var figure = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "figure-1.json")))!;
        var traces = figure["data"]!.AsArray();
        Assert.Equal(2, traces.Count);
        Assert.Equal("scatter", traces[0]!["type"]!.GetValue<string>());
        Assert.Equal(0.02, traces[0]!["error_y"]!["array"]![1]!.GetValue<double>());
        Assert.Equal([0.5, 0.6, 0.7], traces[0]!["y"]!.AsArray().Select(v => v!.GetValue<double>()));
        Assert.Equal("NaN", traces[1]!["y"]![2]!.GetValue<string>()); // Plotly.NET writes NaN as "NaN", which plotly.js draws as a gap
        Assert.Equal("epoch", figure["layout"]!["xaxis"]!["title"]!["text"]!.GetValue<string>());
        Assert.Equal("Demo: curve", figure["layout"]!["title"]!["text"]!.GetValue<string>());
        var bars = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "figure-2.json")))!["data"]![0]!;
        Assert.Equal("bar", bars["type"]!.GetValue<string>());
        Assert.Equal("b", bars["x"]![1]!.GetValue<string>());

        var csv = File.ReadAllLines(Path.Combine(dir, "table.csv"));
        Assert.Equal(["variant,score", "a,1.0 ± 0.1", "\"b, \"\"quoted\"\"\",2.0"], csv);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "report.json")))!;
        Assert.Equal("утверждение, с запятой", json["claim"]!.GetValue<string>());
        Assert.Equal("b wins", json["verdict"]!.GetValue<string>());
        Assert.Contains("| a | 1.0 ± 0.1 |", File.ReadAllText(Path.Combine(dir, "report.md")));
        // Charts, not JSON: plotly.js is inlined once and each panel is drawn (no CDN).
        var page = File.ReadAllText(html);
        Assert.Equal(2, page.Split("window.Plotly.newPlot(").Length - 1);
        Assert.Equal(2, page.Split(Workbench.Plotting.PlotlyJs.Code[..200]).Length);
        Assert.Contains("\"error_y\":{\"type\":\"data\",\"array\":[0.01,0.02,0.03]", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<pre>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script src=", page, StringComparison.Ordinal);
    }

    [Fact]
    public void ARowMustHaveOneCellPerColumn()
    {
        var e = Assert.Throws<ArgumentException>(() => Example().AddRow("only one"));
        Assert.Contains("2 columns", e.Message);
    }
}
