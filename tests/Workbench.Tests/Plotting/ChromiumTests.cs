using System.Text.RegularExpressions;

using Plotly.NET.CSharp;

using Workbench.Plotting;

namespace Workbench.Tests.Plotting;

/// <summary>Plotly.NET charts rendered by headless Debian Chromium (installed by ./run.sh setup).</summary>
public class ChromiumTests
{
    [Fact]
    public void RenderedChartHasOneSvgTracePerTrace()
    {
        Assert.True(Chromium.IsAvailable, "chromium is not installed: run ./run.sh setup (Debian package chromium)");
        var lines = Chart.Combine(new[]
        {
            Chart.Line<double, double, string>(new[] { 0.0, 1, 2 }, new[] { 1.0, 3.0, 2.0 }, Name: "a"),
            Chart.Line<double, double, string>(new[] { 0.0, 1, 2 }, new[] { 2.0, 1.0, 0.5 }, Name: "b"),
        });
        var bars = Chart.Column<double, string, string>(new[] { 1.0, 2.0 }, Keys: new[] { "x", "y" }, Name: "c");
        var dom = Chromium.DumpDom(Chart.Grid(new[] { lines, bars }, 1, 2, SubPlotTitles: new[] { "lines", "bars" }).ToHtmlPage());
        // Plotly draws each scatter trace as <g class="trace scatter ..."> and each bar trace as <g class="trace bars">.
        Assert.Equal(2, Regex.Matches(dom, "<g class=\"trace scatter").Count);
        Assert.Single(Regex.Matches(dom, "<g class=\"trace bars\""));
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Contains(">bars<", dom); // the subplot title annotation
    }

    [Fact]
    public void ToPngReturnsAPictureOfTheChartsSize()
    {
        Assert.True(Chromium.IsAvailable, "chromium is not installed: run ./run.sh setup (Debian package chromium)");
        var heatmap = Chart.Heatmap<double, string, string, string>(new[] { new[] { 0.0, 1.0 }, new[] { 1.0, 0.0 } }).WithSize(400, 300);
        var image = new Workbench.Display.ImageDisplay(heatmap.ToPng());
        Assert.Equal((400, 300), (image.Width, image.Height));
    }
}
