using Plotly.NET.CSharp;

using Workbench.Plotting;

namespace Workbench.Tests.Plotting;

public class PlotlyNetChartTests
{
    private static Plotly.NET.GenericChart TwoRows() => Chart.Grid(new[]
    {
        Chart.Line<double, double, string>(new[] { 0.0, 1, 2 }, new[] { 3.0, 2.0, 1.5 }, Name: "train").WithXAxisStyle<double, double, string>(TitleText: "step"),
        Chart.Column<double, string, string>(new[] { 30.5, 31.25 }, Keys: new[] { "bicubic", "ESPCN" }, Name: "PSNR"),
    }, 2, 1, SubPlotTitles: new[] { "loss", "psnr" }).WithSize(700, 500).WithTitle("run 7");

    [Fact]
    public void GridOfTwoRowsHasTwoXAxesEachWithItsTrace()
    {
        var spec = TwoRows().ToJsonObject();
        var layout = spec["layout"]!;
        Assert.Equal("run 7", (string?)layout["title"]!["text"]);
        Assert.Equal((2, 1), ((int)layout["grid"]!["rows"]!, (int)layout["grid"]!["columns"]!));
        Assert.Equal("step", (string?)layout["xaxis"]!["title"]!["text"]); // a chart's axis style survives Chart.Grid
        Assert.NotNull(layout["xaxis2"]);
        Assert.Null(layout["xaxis3"]);
        var data = spec["data"]!.AsArray();
        Assert.Equal(("x", "x2"), ((string?)data[0]!["xaxis"], (string?)data[1]!["xaxis"]));
        Assert.Equal([3.0, 2.0, 1.5], data[0]!["y"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("ESPCN", (string?)data[1]!["x"]![1]);
        Assert.Equal(["loss", "psnr"], layout["annotations"]!.AsArray().Select(a => (string?)a!["text"]));
    }

    [Fact]
    public void HtmlPageInlinesLocalPlotlyJsAndNothingFromTheNetwork()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wb-chart-").FullName, "sub", "chart.html");
        TwoRows().SaveHtmlPage(path);
        var html = File.ReadAllText(path);
        Assert.Contains(PlotlyJs.Code, html);
        Assert.Contains("width:700px", html);
        Assert.Contains("\"ESPCN\"", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("cdn.plot.ly", html.Replace(PlotlyJs.Code, "", StringComparison.Ordinal)); // plotly.js itself names it (topojson)
        Directory.Delete(Path.GetDirectoryName(Path.GetDirectoryName(path))!, recursive: true);
    }

    [Fact]
    public void ReportFragmentFillsThePageWidthAndKeepsTheHeight()
    {
        var html = TwoRows().ToHtmlFragment();
        Assert.Contains("height:500px;width:100%", html);
        Assert.DoesNotContain("\"width\":700", html);
        Assert.DoesNotContain(PlotlyJs.Code[..200], html); // the page inlines plotly.js once, not each chart
    }

    [Fact]
    public void TitlesCannotCloseTheScript()
    {
        var html = Chart.Line<double, double, string>(new[] { 0.0 }, new[] { 1.0 }).WithTitle("</script><b>x</b>").ToHtmlPage();
        Assert.DoesNotContain("</script><b>", html);
        Assert.Contains("<title>&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;</title>", html);
    }
}
