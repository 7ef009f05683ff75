using System.Text.RegularExpressions;

using Workbench.Plotting;

namespace Workbench.Tests.Plotting;

/// <summary>Figures rendered by headless Debian Chromium (installed by ./run.sh setup).</summary>
public class ChromiumTests
{
    [Fact]
    public void RenderedFigureHasOneSvgTracePerTrace()
    {
        Assert.True(Chromium.IsAvailable, "chromium is not installed: run ./run.sh setup (Debian package chromium)");
        var fig = Figure.Subplots(1, 2, "lines", "bars")
            .Add(Scatter.Line(new[] { 1.0, 3.0, 2.0 }, "a"), 1, 1)
            .Add(Scatter.Line(new[] { 2.0, 1.0, 0.5 }, "b"), 1, 1)
            .Add(new Bar(new[] { "x", "y" }, new[] { 1.0, 2.0 }) { Name = "c" }, 1, 2);
        var dom = Chromium.DumpDom(fig.ToHtml());
        // Plotly draws each scatter trace as <g class="trace scatter ..."> and each bar trace as <g class="trace bars">.
        Assert.Equal(2, Regex.Matches(dom, "<g class=\"trace scatter").Count);
        Assert.Single(Regex.Matches(dom, "<g class=\"trace bars\""));
        Assert.Contains("class=\"main-svg\"", dom);
        Assert.Contains(">bars<", dom); // the subplot title annotation
    }

    [Fact]
    public void ToPngReturnsAPictureOfTheRequestedSize()
    {
        Assert.True(Chromium.IsAvailable, "chromium is not installed: run ./run.sh setup (Debian package chromium)");
        var fig = new Figure("png") { Width = 400, Height = 300 }.Add(new Heatmap(new double[,] { { 0, 1 }, { 1, 0 } }));
        var image = new Workbench.Display.ImageDisplay(fig.ToPng());
        Assert.Equal((400, 300), (image.Width, image.Height));
    }
}
