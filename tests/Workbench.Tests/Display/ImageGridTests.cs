using Workbench.Display;

namespace Workbench.Tests.Display;

public class ImageGridTests
{
    [Fact]
    public void PutsCaptionedImagesSideBySide()
    {
        var grid = new ImageGrid(new[] { new ImageDisplay(TestImages.RedPng3x2, "input"), new ImageDisplay(TestImages.RedPng3x2, "output"), new ImageDisplay(TestImages.RedPng3x2, "target") }, title: "sample 1");
        var html = grid.ToMimeBundle()["text/html"];
        Assert.Contains("grid-template-columns:repeat(3, max-content)", html);
        Assert.Equal(3, html.Split("<figure").Length - 1);
        Assert.True(html.IndexOf(">input<", StringComparison.Ordinal) < html.IndexOf(">output<", StringComparison.Ordinal));
        Assert.Equal("sample 1: Image 3x2 \"input\" | Image 3x2 \"output\" | Image 3x2 \"target\"", grid.ToString());
    }

    [Fact]
    public void ColumnsWrapRows()
    {
        var images = Enumerable.Range(0, 4).Select(i => new ImageDisplay(TestImages.RedPng3x2, $"#{i}"));
        Assert.Contains("repeat(2, max-content)", new ImageGrid(images, columns: 2).ToHtml());
    }
}
