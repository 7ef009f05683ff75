using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

public sealed class LabDistanceTests
{
    [Fact]
    public void MatchesSkimageLabDistances()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var chroma = LabDistance.Chroma(prediction, target).to(ScalarType.Float64).data<double>();
        var deltaE = LabDistance.DeltaE76(prediction, target).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++)
        {
            Assert.Equal(MetricsReference.Expected(i, "chroma"), chroma[i], 1e-3);
            Assert.Equal(MetricsReference.Expected(i, "delta_e76"), deltaE[i], 1e-3);
        }
    }

    [Fact]
    public void ChromaIgnoresLightnessButDeltaEDoesNot()
    {
        using var scope = torch.NewDisposeScope();
        var dark = torch.full(new long[] { 3, 2, 2 }, 0.2);
        var light = torch.full(new long[] { 3, 2, 2 }, 0.8);
        // Not exactly 0: skimage's D65 white differs from the sRGB matrix's white in the 4th digit,
        // so grays carry a ≈ 0.005-scale tint that grows with lightness.
        Assert.InRange(LabDistance.Chroma(dark, light).item<double>(), 0, 0.01);
        Assert.True(LabDistance.DeltaE76(dark, light).item<double>() > 40);
    }
}
