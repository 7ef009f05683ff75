using Plotly.NET.CSharp;

using Workbench.Display;
using Workbench.Plotting;
using Workbench.Tests.Display;

namespace Workbench.Tests.Plotting;

/// <summary>The once-per-session embedding is process-wide state: these tests share the notebook collection.</summary>
[Collection(nameof(NotebookTests))]
public class PlotlyJsTests
{
    [Fact]
    public void LocatesThePackageInstalledBySetup()
    {
        var path = PlotlyJs.Locate();
        Assert.EndsWith("plotly.js-dist-min/plotly.min.js", path.Replace('\\', '/'));
        Assert.Contains("window.Plotly", PlotlyJs.Code);
    }

    [Fact]
    public void NotebookChartsEmbedPlotlyJsOnceThenReuseIt()
    {
        PlotlyJs.ResetNotebookEmbedding();
        var chart = Chart.Line<double, double, string>(new[] { 0.0, 1.0 }, new[] { 1.0, 2.0 }, Name: "loss").WithTitle("curve");
        var first = Formatter.ToMimeBundle(chart);
        var second = Formatter.ToMimeBundle(chart);
        Assert.Contains(PlotlyJs.Code, first["text/html"]);
        Assert.DoesNotContain(PlotlyJs.Code[..200], second["text/html"]);
        Assert.Contains("window.Plotly.newPlot", second["text/html"]);
        Assert.DoesNotContain("<script src=", first["text/html"]); // not Plotly.NET's CDN loader
        Assert.Equal(chart.ToJsonObject().ToJsonString(), second["application/vnd.plotly.v1+json"]);
        Assert.Equal("Plotly.NET chart 'curve' (1 traces: scatter)", second["text/plain"]);
    }
}
