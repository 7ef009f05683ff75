using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

public sealed class AbAccuracyTests
{
    [Fact]
    public void MatchesNumpyOnSkimageLab()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var accuracy = AbAccuracy.Compute(prediction, target).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++)
        {
            // float32 Lab here, float64 there: a pixel within rounding of the threshold may fall either side (1 of 3072 = 3.3e-4).
            Assert.Equal(MetricsReference.Expected(i, "ab_accuracy_10"), accuracy[i], 1e-3);
        }
    }

    [Fact]
    public void CountsPixelsUnderTheThreshold()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.full(new long[] { 3, 4, 4 }, 0.5);
        var target = gray.clone();
        target.narrow(0, 0, 1).narrow(1, 0, 1).fill_(1.0); // one row strongly red: far off in a*b*
        Assert.Equal(0.75, AbAccuracy.Compute(gray, target).item<float>(), 1e-6);
        Assert.Equal(1.0, AbAccuracy.Compute(target, target).item<float>(), 1e-6);
        Assert.Equal(1.0, AbAccuracy.Compute(gray, target, threshold: 500).item<float>(), 1e-6);
    }
}
