using System.Text.Json.Nodes;

using Workbench.Plotting;

namespace Workbench.Tests.Plotting;

public class FigureTests
{
    [Fact]
    public void LineFigureEmitsPlotlyDataLayoutAndConfig()
    {
        var fig = new Figure("loss").Add(Scatter.Line(new[] { 3.0, 2.0, 1.5 }, "train")).AxisTitles("step", "L1");
        var json = fig.ToJsonObject();
        var trace = json["data"]![0]!;
        Assert.Equal("scatter", (string?)trace["type"]);
        Assert.Equal("lines", (string?)trace["mode"]);
        Assert.Equal("train", (string?)trace["name"]);
        Assert.Equal(new[] { 0.0, 1.0, 2.0 }, trace["x"]!.AsArray().Select(v => (double)v!));
        Assert.Equal("loss", (string?)json["layout"]!["title"]!["text"]);
        Assert.Equal("step", (string?)json["layout"]!["xaxis"]!["title"]!["text"]);
        Assert.Equal("L1", (string?)json["layout"]!["yaxis"]!["title"]!["text"]);
        Assert.True((bool)json["layout"]!["showlegend"]!);
        Assert.NotNull(json["config"]);
    }

    [Fact]
    public void SubplotsGetTheirOwnAxesDomainsAndTitles()
    {
        var fig = Figure.Subplots(1, 2, "psnr", "ssim")
            .Add(new Bar(new[] { "x4", "x2x2" }, new[] { 30.1, 30.6 }), 1, 1)
            .Add(new Scatter(new[] { 1.0, 2.0 }, new[] { 0.8, 0.9 }, ScatterMode.Markers), 1, 2);
        fig.XAxis(1, 2).Title = "epoch";
        var json = fig.ToJsonObject();
        var layout = json["layout"]!;
        Assert.Null(json["data"]![0]!["xaxis"]); // the first subplot uses the default axes
        Assert.Equal("x2", (string?)json["data"]![1]!["xaxis"]);
        Assert.Equal("y2", (string?)json["data"]![1]!["yaxis"]);
        Assert.Equal("epoch", (string?)layout["xaxis2"]!["title"]!["text"]);
        Assert.Equal("y2", (string?)layout["xaxis2"]!["anchor"]);
        Assert.True((double)layout["xaxis"]!["domain"]![1]! < (double)layout["xaxis2"]!["domain"]![0]!);
        Assert.Equal(new[] { "psnr", "ssim" }, layout["annotations"]!.AsArray().Select(a => (string?)a!["text"]));
        Assert.Throws<ArgumentOutOfRangeException>(() => fig.Add(Scatter.Line(new[] { 1.0 }), 2, 1));
    }

    [Fact]
    public void HeatmapAndImageTracesFollowPlotlysSchema()
    {
        var heat = new Heatmap(new double[,] { { 1, 2, 3 }, { 4, 5, 6 } }) { XLabels = new[] { "a", "b", "c" } };
        var json = new Figure().Add(heat).Add(new ImageTrace(new byte[,,] { { { 255, 0, 0 }, { 0, 255, 0 } } })).ToJsonObject();
        var z = json["data"]![0]!["z"]!.AsArray();
        Assert.Equal(2, z.Count);
        Assert.Equal(6.0, (double)z[1]![2]!);
        Assert.Equal("Viridis", (string?)json["data"]![0]!["colorscale"]);
        Assert.Equal("image", (string?)json["data"]![1]!["type"]);
        Assert.Equal(255, (int)json["data"]![1]!["z"]![0]![1]![1]!);
        var fromPng = new Figure().Add(new ImageTrace(new byte[] { 1, 2, 3 })).ToJsonObject();
        Assert.StartsWith("data:image/png;base64,", (string?)fromPng["data"]![0]!["source"]);
    }

    [Fact]
    public void HorizontalBarsSwapAxes()
    {
        var json = new Figure().Add(new Bar(new[] { "a" }, new[] { 1.0 }) { Horizontal = true }).ToJsonObject()["data"]![0]!;
        Assert.Equal("h", (string?)json["orientation"]);
        Assert.Equal("a", (string?)json["y"]![0]);
    }

    [Fact]
    public void SaveHtmlIsSelfContained()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("wb-fig").FullName, "fig.html");
        new Figure("t").Add(Scatter.Line(new[] { 1.0, 2.0 })).SaveHtml(path);
        var html = File.ReadAllText(path);
        Assert.Contains(File.ReadAllText(PlotlyJs.Locate())[..200], html);
        Assert.DoesNotContain("<script src=", html);
        Assert.Contains("Plotly.newPlot", html);
    }

    [Fact]
    public void TitlesCannotBreakOutOfTheScript()
    {
        var html = new Figure("</script><b>x</b>").Add(Scatter.Line(new[] { 1.0 })).ToHtml();
        Assert.DoesNotContain("</script><b>", html);
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Scatter(new[] { 1.0 }, new[] { 1.0, 2.0 }));
        Assert.Throws<ArgumentException>(() => new Bar(new[] { "a" }, Array.Empty<double>()));
    }
}
