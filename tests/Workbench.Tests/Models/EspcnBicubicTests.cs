using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public sealed class EspcnBicubicTests
{
    [Theory]
    [InlineData(2, 24)]
    [InlineData(2, 64)]
    [InlineData(3, 64)]
    [InlineData(4, 96)]
    public void TheInitialisedNetworkIsAntialiasedBicubicAwayFromTheBorder(int scale, int channels)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new Espcn(scale, channels);
        EspcnBicubic.Init(model);
        var x = torch.rand([2, 3, 14, 17]);
        Tensor y;
        using (torch.no_grad()) y = model.call(x);
        var bicubic = ImageResize.Resize(x, 14 * scale, 17 * scale, InterpolationMode.Bicubic, antialias: true);
        // The first conv's 5x5 kernel reaches 2 input pixels, the next two 1 each: 4 input pixels of zero padding.
        var b = 4 * scale;
        var inner = (y - bicubic).narrow(2, b, y.size(2) - 2 * b).narrow(3, b, y.size(3) - 2 * b);
        Assert.True(inner.abs().max().item<float>() < 1e-5f, $"max error {inner.abs().max().item<float>()}");
    }

    [Fact]
    public void TapsSumToOneAndAreSymmetricBetweenMirroredPhases()
    {
        for (var phase = 0; phase < 4; phase++)
        {
            var taps = EspcnBicubic.Taps(4, phase);
            Assert.Equal(1.0, taps.Sum(), 12);
            var mirrored = EspcnBicubic.Taps(4, 3 - phase);
            for (var k = 0; k < 5; k++) Assert.Equal(taps[k], mirrored[4 - k], 12);
        }
    }

    [Fact]
    public void TooFewChannelsOrANonDefaultHeadAreRefused()
    {
        using var narrow = new Espcn(2, 16);
        Assert.Contains("at least 24 channels", Assert.Throws<ArgumentException>(() => EspcnBicubic.Init(narrow)).Message);
        using var x2Head = new Espcn(4, 128, head: new UpsampleHead(128, 4, UpsampleSteps.X2Steps));
        Assert.Throws<ArgumentException>(() => EspcnBicubic.Init(x2Head));
    }

    [Theory]
    [InlineData(2, 16)]
    [InlineData(4, 8)]
    public void AFoldedResidualNetworkIsAPlainEspcnComputingBicubicPlusTheResidual(int scale, int channels)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var residual = new BicubicResidual(new Espcn(scale, channels), zero_last: false);
        using var folded = EspcnBicubic.FoldResidual((Espcn)residual.Net);
        Assert.Equal(channels + 2 * 3 * scale * scale, folded.channels);
        var x = torch.rand([1, 3, 15, 13]);
        Tensor a, b;
        using (torch.no_grad())
        {
            a = residual.call(x);
            b = folded.call(x);
        }
        var border = 4 * scale;
        var diff = (a - b).narrow(2, border, a.size(2) - 2 * border).narrow(3, border, a.size(3) - 2 * border);
        Assert.True(diff.abs().max().item<float>() < 1e-5f, $"max error {diff.abs().max().item<float>()}");
    }
}
