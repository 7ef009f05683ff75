using Workbench.Losses;
using Workbench.Models.Colorization;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

using F = Workbench.Torch.nn.functional;

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

    [Theory]
    [InlineData(8, 8)]
    [InlineData(16, 64)]
    [InlineData(32, 40)]
    public void InputsTooSmallForReflectionPaddingGiveQuarterSizeLogitsThatDependOnlyOnThemselves(int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        using var net = new ZhangColorNet(Get("bins/centers").size(0), width: 4);
        net.eval();
        var x = torch.rand(1, 3, height, width);
        using var noGrad = torch.no_grad();
        var logits = net.call(x);
        Assert.Equal(new long[] { 1, net.Bins, height / 4, width / 4 }, logits.shape);
        // The same photo with its edge pixels already repeated out to the smallest side gives the same logits.
        var grown = nn.functional.pad(x, new long[] { 0, Math.Max(0, ZhangColorNet.MinSide - width), 0, Math.Max(0, ZhangColorNet.MinSide - height) }, "replicate");
        Assert.InRange(Error(logits, net.call(grown).narrow(2, 0, height / 4).narrow(3, 0, width / 4)), 0, 1e-5);
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
        var ab = nn.functional.adaptive_avg_pool2d(Workbench.Data.ColorSpace.RgbToLab(target).narrow(1, 1, 2), new nn.Size2(10, 12));
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
        var unsmoothed = bins.AnnealedMean(colorizer.DecodingLogits(logits), 0.38);
        Assert.Equal(0f, (plain - unsmoothed).abs().max().item<float>());
        var jump = NeighbourJump(plain);
        Assert.InRange(jump, 60, 200); // ~|green − blue| ≈ 89 ab units between every pair of neighbours

        colorizer.SetDecoding(0.38, smoothing: 1);
        var pooled = bins.AnnealedMean(colorizer.DecodingLogits(logits), 0.38);
        Assert.InRange(NeighbourJump(pooled), 0, 0.1 * jump);
        // Pooled, every cell has both hues' mass; the colour lies between them, not somewhere else.
        var mid = (bins.Centers[green] + bins.Centers[blue]) / 2;
        Assert.InRange((pooled[0, .., 4, 4] - mid).abs().max().item<float>(), 0, 15);
    }

    [Fact]
    public void TheCertaintyGateKeepsASureHueAndGraysAHueSplitBetweenOpposites()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        var bins = colorizer.Bins;
        var (blue, brown, paleBlue) = (Nearest(bins, 0, -60), Nearest(bins, 20, 60), Nearest(bins, 0, -20));
        var logits = torch.full(new long[] { 1, bins.Count, 1, 3 }, -30f);
        logits[0, blue, 0, 0] = torch.tensor(0f);                                              // sure: all blue
        logits[0, blue, 0, 1] = torch.tensor(0f);                                              // one hue, two saturations
        logits[0, paleBlue, 0, 1] = torch.tensor(0f);
        logits[0, blue, 0, 2] = torch.tensor(0f);                                              // blue or brown: a coin toss
        logits[0, brown, 0, 2] = torch.tensor(0f);

        var agreement = bins.HueAgreement(logits);
        Assert.InRange(agreement[0, 0, 0, 0].item<float>(), 0.97f, 1f);   // 60 / 61
        Assert.InRange(agreement[0, 0, 0, 1].item<float>(), 0.97f, 1f);   // spread in saturation only
        Assert.InRange(agreement[0, 0, 0, 2].item<float>(), 0f, 0.25f);   // |mean| ≈ 10 of E|ab| ≈ 62

        // Gated decoding (κ 2): the sure pixel keeps its boosted colour, the split one goes (nearly) gray.
        var (plain, gated) = (Decode(colorizer, logits, 0), Decode(colorizer, logits, 2));
        Assert.InRange(gated[0, 1, 0, 0].item<float>() / plain[0, 1, 0, 0].item<float>(), 0.95f, 1f);
        Assert.InRange(gated[0, .., 0, 2].abs().max().item<float>(), 0f, 0.07f * plain[0, .., 0, 2].abs().max().item<float>() + 0.5f);

        colorizer.SetDecoding(0.7, 1.7, certainty: 2);
        using var loaded = SavedAndLoaded(colorizer);
        Assert.Equal(2, loaded.Spec.Certainty);
    }

    private static Tensor Decode(ZhangColorizer colorizer, Tensor logits, double certainty)
    {
        colorizer.SetDecoding(1.0, 1.5, certainty: certainty);
        return colorizer.DecodeAb([logits]);
    }

    [Fact]
    public void PriorCorrectionDividesTheTrainingsClassWeightsOutAndIsSavedWithTheFile()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        Assert.False(colorizer.HasClassWeights);
        var weights = torch.ones(colorizer.Bins.Count);
        var (gray, red) = (Nearest(colorizer.Bins, 0, 0), Nearest(colorizer.Bins, 60, 40));
        weights[red] = torch.tensor(4f); // a rare colour the rebalancing favoured 4x
        colorizer.SetClassWeights(weights);
        Assert.True(colorizer.HasClassWeights);

        // The network says red and gray are equally likely; trained with w(red) = 4, that means P(red | x) = 1/5.
        var logits = torch.full(new long[] { 1, colorizer.Bins.Count, 2, 2 }, -30f);
        logits[0, gray] = torch.tensor(0f);
        logits[0, red] = torch.tensor(0f);
        colorizer.SetDecoding(1.0, priorCorrection: 1);
        var p = F.softmax(colorizer.DecodingLogits(logits), 1);
        Assert.Equal(0.2f, p[0, red, 0, 0].item<float>(), 1e-5f);
        Assert.Equal(0.8f, p[0, gray, 0, 0].item<float>(), 1e-5f);
        colorizer.SetDecoding(1.0, priorCorrection: 0.5); // half the bias out: 2 : 1
        p = F.softmax(colorizer.DecodingLogits(logits), 1);
        Assert.Equal(1f / 3, p[0, red, 0, 0].item<float>(), 1e-5f);

        using var loaded = SavedAndLoaded(colorizer);
        Assert.Equal(0.5, loaded.Spec.PriorCorrection);
        Assert.Equal(MathF.Log(4), loaded.ClassLogWeight[red].item<float>(), 1e-6f);
    }

    [Fact]
    public void AFileWithoutClassWeightsLoadsWithNone()
    {
        using var scope = torch.NewDisposeScope();
        using var colorizer = new ZhangSpec(Width: 4).Build();
        var path = Path.Combine(Path.GetTempPath(), $"wb-zhang-{Guid.NewGuid():N}.safetensors");
        try
        {
            var state = colorizer.state_dict().Where(kv => kv.Key != ZhangColorizer.ClassLogWeightKey).ToDictionary();
            SafeTensors.Save(path, state, Workbench.Inference.ModelFile.Metadata(new Workbench.Inference.ModelFileInfo(nameof(ZhangColorizer), colorizer.Spec.ToJson(), "colorize")));
            var (loaded, _) = Workbench.Inference.ModelFile.Load(path);
            using (loaded) Assert.False(Assert.IsType<ZhangColorizer>(loaded).HasClassWeights);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AnEnsembleAveragesItsMembersDistributionsAndSavesAllTheirNetworks()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var a = new ZhangSpec(Width: 4).Build();
        using var b = new ZhangSpec(Width: 4).Build();
        a.SetDecoding(0.5, 0.7, 1);
        using var ensemble = ZhangColorizer.Ensemble([a, b]);
        Assert.Equal(2, ensemble.Spec.Members);
        Assert.Equal(a.Decoding, ensemble.Decoding);
        Assert.Contains(ensemble.state_dict().Keys, k => k.StartsWith("net2.", StringComparison.Ordinal));
        ensemble.eval();
        var x = torch.rand(1, 3, 32, 32);
        using (torch.no_grad())
        {
            // The decoder reads the mean of the two members' distributions (then pools it).
            var (za, zb) = (a.Net.call(x), b.Net.call(x));
            var mean = ((F.softmax(za, 1) + F.softmax(zb, 1)) / 2).log();
            using var plain = new ZhangSpec(Width: 4).Build(); // same smoothing, one member
            plain.SetDecoding(0.5, 0.7, 1);
            Assert.InRange(Error(F.softmax(ensemble.DecodingLogits([za, zb]), 1), F.softmax(plain.DecodingLogits(mean), 1)), 0, 1e-6);
            // Two copies of one network colour exactly as that network does.
            using var twice = ZhangColorizer.Ensemble([a, a]);
            a.eval();
            twice.eval();
            Assert.InRange(Error(twice.call(x), a.call(x)), 0, 1e-5);
        }

        using var loaded = SavedAndLoaded(ensemble);
        Assert.Equal(2, loaded.Nets.Count);
        loaded.eval();
        using (torch.no_grad()) Assert.InRange(Error(loaded.call(x), ensemble.call(x)), 0, 1e-6);
        // What training loads from it: the first network and the class weights, under a single network's keys.
        using var single = new ZhangSpec(Width: 4).Build();
        single.load_state_dict(ensemble.FirstNetworkState());
        single.eval();
        using (torch.no_grad()) Assert.InRange(Error(single.Net.call(x), ensemble.Net.call(x)), 0, 0);
    }

    [Fact]
    public void EnsembleMembersMustShareWidthAndClassWeights()
    {
        using var scope = torch.NewDisposeScope();
        using var a = new ZhangSpec(Width: 4).Build();
        using var wide = new ZhangSpec(Width: 8).Build();
        Assert.Contains("width", Assert.Throws<ArgumentException>(() => ZhangColorizer.Ensemble([a, wide])).Message);
        using var b = new ZhangSpec(Width: 4).Build();
        a.SetClassWeights(torch.ones(a.Bins.Count) * 2);
        b.SetClassWeights(torch.ones(a.Bins.Count) * 3);
        Assert.Contains("class weights", Assert.Throws<ArgumentException>(() => ZhangColorizer.Ensemble([a, b])).Message);
        b.SetClassWeights(torch.ones(a.Bins.Count) * 2.002f); // the same weights after a float16 round trip
        using var ensemble = ZhangColorizer.Ensemble([a, b]);
        Assert.True(ensemble.HasClassWeights);
    }

    /// <summary>The colorizer written as a weights file and loaded back as a new one (the file is deleted).</summary>
    private static ZhangColorizer SavedAndLoaded(ZhangColorizer colorizer)
    {
        var path = Path.Combine(Path.GetTempPath(), $"wb-zhang-{Guid.NewGuid():N}.safetensors");
        try
        {
            Workbench.Inference.ModelFile.Save(path, colorizer, new Workbench.Inference.ModelFileInfo(nameof(ZhangColorizer), colorizer.Spec.ToJson(), "colorize"));
            return Assert.IsType<ZhangColorizer>(Workbench.Inference.ModelFile.Load(path).Model);
        }
        finally
        {
            File.Delete(path);
        }
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
