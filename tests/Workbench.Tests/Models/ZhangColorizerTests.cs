using Workbench.Losses;
using Workbench.Models.Colorization;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>The Zhang et al. colorizer against tests/reference/zhang_reference.py (PyTorch 1.13, same libtorch).</summary>
public sealed class ZhangColorizerTests
{
    private static readonly Lazy<Dictionary<string, Tensor>> Reference = new(() =>
    {
        var tensors = SafeTensors.Load(Path.Combine(PythonReference.Run("zhang_reference.py"), "zhang.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope();
        return tensors;
    });

    private static Tensor Get(string key) => Reference.Value[key];

    private static Dictionary<string, Tensor> State(string prefix) => Reference.Value
        .Where(kv => kv.Key.StartsWith("net/state/", StringComparison.Ordinal))
        .ToDictionary(kv => prefix + kv.Key["net/state/".Length..], kv => kv.Value);

    /// <summary>Largest absolute difference relative to max(1, |expected|max).</summary>
    private static double Error(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        return (actual.detach().to(ScalarType.Float32) - expected.to(ScalarType.Float32)).abs().max().item<float>() / Math.Max(1.0, expected.abs().max().item<float>());
    }

    [Fact]
    public void BinsAreTheSrgbGamutCellsThePythonBruteForceFinds()
    {
        using var bins = new AbBins();
        Assert.Equal(Get("bins/centers").shape, bins.Centers.shape);
        Assert.Equal(0, Error(bins.Centers, Get("bins/centers")));
    }

    [Fact]
    public void NetworkMatchesPyTorchInEvalAndTrainingWithInputGradients()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new ZhangColorNet(Get("bins/centers").size(0), width: 4);
        net.load_state_dict(State(""));
        var x = Get("net/in0").clone();
        net.eval();
        using (torch.no_grad()) Assert.InRange(Error(net.call(x), Get("net/eval")), 0, 1e-5);
        net.train();
        x.requires_grad = true;
        var y = net.call(x);
        Assert.InRange(Error(y, Get("net/train")), 0, 1e-5);
        (y * Get("net/gout")).sum().backward();
        Assert.InRange(Error(x.grad!, Get("net/grad_in0")), 0, 1e-5);
    }

    [Fact]
    public void RebalancedLossTargetsWeightsValueAndGradientMatchPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        using var bins = new AbBins();
        var weights = bins.RebalanceWeights(Get("prior"));
        Assert.InRange(Error(weights, Get("rebalance")), 0, 1e-5);
        var logits = Get("net/train").clone();
        logits.requires_grad = true;
        var loss = new RebalancedAbLoss(bins, weights).Compute(logits, Get("loss/target"));
        Assert.InRange(Math.Abs(loss.item<float>() - Get("loss/value").item<float>()), 0, 1e-5);
        loss.backward();
        Assert.InRange(Error(logits.grad!, Get("loss/grad")), 0, 1e-6);
    }

    [Fact]
    public void EncodingPicksTheNearestCentreAsTheBruteForceDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var bins = new AbBins();
        var target = Get("loss/target");
        var ab = nn.functional.adaptive_avg_pool2d(Workbench.Data.ColorSpace.RgbToLab(target).narrow(1, 1, 2), new nn.Size2(8, 12));
        Assert.True(bins.Encode(ab).equal(Get("loss/classes")));
    }

    [Theory]
    [InlineData("0.38")]
    [InlineData("1.0")]
    public void AnnealedMeanMatchesPyTorch(string t)
    {
        using var scope = torch.NewDisposeScope();
        using var bins = new AbBins();
        Assert.InRange(Error(bins.AnnealedMean(Get("net/eval"), double.Parse(t, System.Globalization.CultureInfo.InvariantCulture)), Get($"decode/T{t}")), 0, 1e-5);
    }

    [Fact]
    public void WholeColorizerMatchesPyTorchAndKeepsTheInputsLightness()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        colorizer.load_state_dict(State("net."));
        colorizer.eval();
        using var noGrad = torch.no_grad();
        var rgb = colorizer.call(Get("net/in0"));
        Assert.InRange(Error(rgb, Get("colorizer/eval")), 0, 1e-4); // through Lab → RGB's cube roots: float32 rounding × ~10
    }

    [Fact]
    public void BFloat16AutocastStaysCloseToFloat32()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        colorizer.load_state_dict(State("net."));
        colorizer.eval();
        using var noGrad = torch.no_grad();
        var x = Get("net/in0");
        var logits32 = colorizer.Net.call(x);
        Tensor logits16;
        using (torch.autocast("cpu", ScalarType.BFloat16)) logits16 = colorizer.Net.call(x);
        Assert.Equal(ScalarType.BFloat16, logits16.dtype);
        // bf16 keeps 8 bits of mantissa (relative rounding 2^-9 per op); through 12 conv layers: within 5 % of the logits' scale.
        Assert.InRange(Error(logits16, logits32), 0, 0.05);
        // What a user sees: the decoded colour differs by a few ab units at most (a just-noticeable difference is ~2.3).
        var ab32 = colorizer.Bins.AnnealedMean(logits32, 0.38);
        var ab16 = colorizer.Bins.AnnealedMean(logits16, 0.38);
        Assert.InRange((ab32 - ab16).abs().max().item<float>(), 0, 3.0);
    }

    [Fact]
    public void SpecRoundTripsAndTheDecodingIsSavedWithIt()
    {
        using var colorizer = new ZhangSpec(Width: 4).Build();
        colorizer.SetDecoding(0.5, 0.7, 1.5);
        Assert.Equal(colorizer.Spec, ZhangSpec.FromJson(colorizer.Spec.ToJson()));
        Assert.Equal((0.5, 0.7, 1.5), (ZhangSpec.FromJson(colorizer.Spec.ToJson()).Temperature, colorizer.Spec.ChromaScale, colorizer.Spec.Smoothing));
        Assert.Equal(0.0, ZhangSpec.FromJson("""{"width":4,"binStep":10,"temperature":0.5,"chromaScale":0.4}""").Smoothing); // files from before smoothing
        Assert.Throws<ArgumentOutOfRangeException>(() => colorizer.SetDecoding(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => colorizer.SetDecoding(0.5, smoothing: -1));
    }

    [Fact]
    public void SmoothingTurnsASpeckleOfTwoHuesIntoOneColourAndZeroChangesNothing()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        var bins = colorizer.Bins;
        // A texture whose cells put their mass on two far-apart bins in a checkerboard (what speckle is).
        var (green, blue) = (Nearest(bins, -40, 40), Nearest(bins, 0, -40));
        var logits = torch.zeros(1, bins.Count, 8, 8);
        for (var y = 0; y < 8; y++)
            for (var x = 0; x < 8; x++)
                logits[0, (y + x) % 2 == 0 ? green : blue, y, x] = torch.tensor(8f);

        var plain = bins.AnnealedMean(logits, 0.38);
        var unsmoothed = bins.AnnealedMean(colorizer.PooledLogits(logits), 0.38);
        Assert.Equal(0f, (plain - unsmoothed).abs().max().item<float>());
        var jump = NeighbourJump(plain);
        Assert.InRange(jump, 60, 200); // ~|green − blue| ≈ 89 ab units between every pair of neighbours

        colorizer.SetDecoding(0.38, smoothing: 1);
        var pooled = bins.AnnealedMean(colorizer.PooledLogits(logits), 0.38);
        Assert.InRange(NeighbourJump(pooled), 0, 0.1 * jump);
        // Pooled, every cell has both hues' mass; the colour lies between them, not somewhere else.
        var mid = (bins.Centers[green] + bins.Centers[blue]) / 2;
        Assert.InRange((pooled[0, .., 4, 4] - mid).abs().max().item<float>(), 0, 15);
    }

    private static long Nearest(AbBins bins, float a, float b) =>
        (bins.Centers - torch.tensor(new[] { a, b })).pow(2).sum(1).argmin().item<long>();

    /// <summary>Largest ab distance between horizontal neighbours away from the border (N, 2, H, W).</summary>
    private static float NeighbourJump(Tensor ab)
    {
        var inner = ab[.., .., 2..6, 2..7];
        return (inner[.., .., .., 1..] - inner[.., .., .., ..^1]).pow(2).sum(1).sqrt().max().item<float>();
    }
}
