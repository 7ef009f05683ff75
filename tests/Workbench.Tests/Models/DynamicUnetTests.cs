using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public sealed class DynamicUnetTests
{
    private static DynamicUnet Tiny(string blocks, double nfFactor, long[] layers) =>
        new(new ResNet("basic", layers, num_classes: 0, base_width: 8), blocks: blocks, nf_factor: nfFactor);

    [Fact]
    public void PixelShuffleIcnrWithBlurMatchesPyTorch()
    {
        using var shuffle = new PixelShuffleIcnr(16, 8, blur: true, extraBn: true);
        ColorizeReference.CheckModule(shuffle, "shuffle", x => shuffle.call(x[0]));
    }

    [Fact]
    public void WideBlockWithSelfAttentionAndAnOddSkipMatchesPyTorch()
    {
        using var block = new UnetBlockWide(32, 16, 32, blur: true, self_attention: true);
        ColorizeReference.CheckModule(block, "block_wide", x => block.call(x[0], x[1]), inputs: 2);
    }

    [Fact]
    public void DeepBlockMatchesPyTorch()
    {
        using var block = new UnetBlockDeep(32, 16, final_div: false, blur: false, self_attention: true, nf_factor: 1.5);
        ColorizeReference.CheckModule(block, "block_deep", x => block.call(x[0], x[1]), inputs: 2);
    }

    [Theory]
    [InlineData("unet_wide")]
    [InlineData("unet_wide_odd")]
    public void WideUnetMatchesPyTorchIncludingSelfAttentionAndSpectralNorm(string name)
    {
        using var unet = Tiny("wide", 0.125, new long[] { 2, 2, 2, 2 });
        ColorizeReference.CheckModule(unet, name, x => unet.call(x[0]));
    }

    [Fact]
    public void DeepUnetMatchesPyTorch()
    {
        using var unet = Tiny("deep", 1.0, new long[] { 3, 4, 6, 3 });
        ColorizeReference.CheckModule(unet, "unet_deep", x => unet.call(x[0]));
    }

    [Fact]
    public void OutputKeepsTheInputSizeAndStaysInTheDenormalizedSigmoidRange()
    {
        using var scope = torch.NewDisposeScope();
        using var unet = UnetSpec.Preset("tiny").Build().eval();
        using var noGrad = torch.no_grad();
        var y = unet.call(torch.rand(1, 3, 48, 80));
        Assert.Equal(new long[] { 1, 3, 48, 80 }, y.shape);
        // sigmoid·6 − 3 in ImageNet-normalized space: pixels within mean ± 3·std.
        Assert.True(y.min().item<float>() >= -0.217f && y.max().item<float>() <= 1.173f); // G: 0.456 − 3·0.224, R: 0.485 + 3·0.229
    }

    [Fact]
    public void SpecRoundTripsThroughJsonAndUnknownNamesAreListed()
    {
        var spec = UnetSpec.Preset("artistic");
        Assert.Equal(spec, UnetSpec.FromJson(spec.ToJson()));
        var e = Assert.Throws<ArgumentException>(() => UnetSpec.Preset("huge"));
        Assert.Contains("stable, artistic, small, tiny", e.Message);
        Assert.Throws<ArgumentException>(() => new UnetSpec(Encoder: "vgg16").Build());
        Assert.Throws<ArgumentException>(() => Tiny("narrow", 1, new long[] { 1, 1, 1, 1 }));
    }

    [Fact]
    public void GeneralUnetServesSuperResolutionWithOtherChannelCounts()
    {
        using var scope = torch.NewDisposeScope();
        using var unet = new DynamicUnet(new ResNet("basic", new long[] { 1, 1, 1, 1 }, num_classes: 0, in_channels: 1, base_width: 8), n_out: 1, nf_factor: 0.125);
        Assert.False(unet.ImagenetNormalize);
        Assert.Equal(new long[] { 2, 1, 64, 32 }, unet.call(torch.rand(2, 1, 64, 32)).shape);
    }
}
