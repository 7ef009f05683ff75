using System.Text.RegularExpressions;

using Plotly.NET.CSharp;

using Workbench.Plotting;
using Workbench.Reports;

namespace Workbench.Tests.Reports;

public class HtmlReportTests
{
    [Fact]
    public void ChartsAreDrawnByPlotlyJsInlinedOnce()
    {
        var loss = Chart.Line<double, double, string>(new[] { 0.0, 10, 20 }, new[] { 0.25, 0.125, 0.0625 }, Name: "pixel_l1");
        var html = new HtmlReport("run").Paragraph("losses").Chart(loss).Chart(loss.WithTitle("again")).ToHtml();
        Assert.Equal(2, html.Split(PlotlyJs.Code[..200]).Length);
        Assert.Equal(2, Regex.Matches(html, "<div id=\"wb-plot-[0-9a-f]+\" class=\"workbench-plotly\"").Count);
        Assert.Contains("\"y\":[0.25,0.125,0.0625]", html);
        Assert.DoesNotContain("<script src", html);
        Assert.DoesNotContain("https://", html.Replace(PlotlyJs.Code, "", StringComparison.Ordinal)); // no URL outside plotly.js's own code
    }

    [Fact]
    public void APageWithoutChartsLeavesPlotlyJsOut()
    {
        var html = new HtmlReport("text only").Paragraph("no charts").ToHtml();
        Assert.DoesNotContain(PlotlyJs.Code[..200], html);
    }
}
