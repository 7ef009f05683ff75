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
        using var shuffle = new PixelShuffleIcnr(16, 8, blur: true, extra_bn: true);
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
    public void ParityToleranceCatchesOneBatchNormChannelOffByOnePercent()
    {
        using var unet = Tiny("wide", 0.125, new long[] { 2, 2, 2, 2 });
        using var scope = torch.NewDisposeScope();
        var state = ColorizeReference.Dict("unet_wide/state").ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var key = state.Keys.First(k => k.EndsWith("running_var", StringComparison.Ordinal) && k.StartsWith("layers.0.", StringComparison.Ordinal));
        state[key][0].mul_(1.01);                                   // one channel of one BatchNorm, 1 % off
        unet.load_state_dict(state);
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => ColorizeReference.CheckLoadedModule(unet, "unet_wide", x => unet.call(x[0]), train: false));
        // The tolerance itself stays far below such an error, on any CPU: PyTorch's float32 error × 8.
        Assert.InRange(ColorizeReference.Tolerance("unet_wide/eval", 1e-5), 1e-5, 1e-3);
    }

    [Fact]
    public void DeepUnetMatchesPyTorch()
    {
        using var unet = Tiny("deep", 1.0, new long[] { 3, 4, 6, 3 });
        ColorizeReference.CheckModule(unet, "unet_deep", x => unet.call(x[0]));
    }

    [Theory]
    [InlineData("wide", 0.25, true)]
    [InlineData("deep", 1.0, false)]
    public void InferenceInBandsGivesTheWholeMapsNumbers(string blocks, double nfFactor, bool upstreamFinalShuffle)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        using var unet = new DynamicUnet(new ResNet("basic", new long[] { 1, 1, 1, 1 }, num_classes: 0, base_width: 8), blocks: blocks,
            nf_factor: nfFactor, upstream_final_shuffle: upstreamFinalShuffle);
        unet.eval();
        using var noGrad = torch.no_grad();
        var x = torch.rand(2, 3, 120, 64);                          // 120 rows: the tail and the blocks at 60 and 30 rows in bands of 16
        var whole = unet.call(x);
        unet.InferenceBandBytes = 1;                                // the smallest bands: 16 rows, halos at every edge
        Assert.Equal(16, unet.BandRows(torch.zeros(2, 8, 60, 32), x, 11));
        var banded = unet.call(x);
        Assert.Equal(whole.shape, banded.shape);
        var diff = (whole - banded).abs().max().item<float>();
        Assert.True(diff <= 1e-6f, $"bands differ from whole maps by {diff}");
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
        Assert.True(y.min().item<float>() >= -0.2701f && y.max().item<float>() <= 1.173f, $"{y.min().item<float>()} .. {y.max().item<float>()}"); // B: 0.406 − 3·0.225, R: 0.485 + 3·0.229
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
