using Workbench.Display;

namespace Workbench.Tests.Display;

public class ImageDisplayTests
{
    [Fact]
    public void ReadsSizeAndRendersPngWithCaption()
    {
        var image = new ImageDisplay(TestImages.RedPng3x2, "input <gray>");
        Assert.Equal((3, 2), (image.Width, image.Height));
        var bundle = image.ToMimeBundle();
        Assert.Equal(Convert.ToBase64String(TestImages.RedPng3x2), bundle["image/png"]);
        Assert.Contains("<figcaption style=\"text-align:center\">input &lt;gray&gt;</figcaption>", bundle["text/html"]);
        Assert.Equal("Image 3x2 \"input <gray>\"", bundle["text/plain"]);
    }

    [Fact]
    public void WithoutCaptionTheBarePngIsTheRichOutput()
    {
        Assert.False(new ImageDisplay(TestImages.RedPng3x2).ToMimeBundle().ContainsKey("text/html"));
    }

    [Fact]
    public void NonPngBytesAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new ImageDisplay(new byte[32]));
    }
}
