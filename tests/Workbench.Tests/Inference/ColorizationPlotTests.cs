using Workbench.Data;
using Workbench.Display;
using Workbench.Models;
using Workbench.Torch;
using Workbench.Inference;

namespace Workbench.Tests.Inference;

public sealed class ColorizationPlotTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-plot-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ColourPhotoGivesInputOutputAndGroundTruthWithCaptionsAsPngAndMimeBundle()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        var path = Path.Combine(dir, "photo.png");
        ImageIO.Write(path, torch.rand(3, 60, 90));
        using var unet = UnetSpec.Preset("tiny").Build();
        using var plot = ColorizationPlot.PlotTransformedImage(path, unet, 64, height: 80);
        var captionHeight = 14; // max(14, 80 / 10)
        Assert.Equal(80 + captionHeight, plot.Panel.size(1));
        Assert.Equal(3 * 120 + 2 * 4, plot.Panel.size(2)); // three 120-wide panels, two gaps
        var bundle = plot.ToMimeBundle();
        Assert.Equal(plot.Png, Convert.FromBase64String(bundle[MimeTypes.Png]));
        Assert.Contains("photo.png", bundle[MimeTypes.PlainText]);
        // Captions are drawn: the strip under the first panel has dark text pixels on white.
        var strip = plot.Panel.narrow(1, 80, captionHeight).narrow(2, 0, 120);
        Assert.True(strip.min().item<float>() < 0.5f && strip.max().item<float>() == 1f);

        ImageIO.Write(Path.Combine(dir, "gray.png"), torch.rand(1, 60, 90));
        using var grayPlot = ColorizationPlot.PlotTransformedImage(Path.Combine(dir, "gray.png"), unet, 64, height: 80);
        Assert.Equal(2 * 120 + 4, grayPlot.Panel.size(2)); // no ground truth for a black-and-white photo
    }
}
