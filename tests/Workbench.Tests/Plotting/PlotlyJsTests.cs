using Workbench.Display;
using Workbench.Tests.Display;
using Workbench.Plotting;

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
    public void NotebookFiguresEmbedPlotlyJsOnceThenReuseIt()
    {
        PlotlyJs.ResetNotebookEmbedding();
        var fig = new Figure().Add(Scatter.Line(new[] { 1.0, 2.0 }));
        var first = fig.ToMimeBundle();
        var second = fig.ToMimeBundle();
        Assert.Contains(PlotlyJs.Code, first["text/html"]);
        Assert.DoesNotContain(PlotlyJs.Code[..200], second["text/html"]);
        Assert.Contains("window.Plotly", second["text/html"]);
        Assert.Equal(fig.ToJson(), second["application/vnd.plotly.v1+json"]);
        Assert.Equal("Figure (1x1, 1 traces: scatter)", second["text/plain"]);
    }
}
