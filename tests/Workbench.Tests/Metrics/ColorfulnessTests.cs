using Workbench.Data;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

public sealed class ColorfulnessTests
{
    [Fact]
    public void MatchesTheNumpyFormulaOfHaslerAndSuesstrunk()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, _) = MetricsReference.Batch();
        var m = Colorfulness.Compute(prediction).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++) Assert.Equal(MetricsReference.Expected(i, "colorfulness"), m[i], 1e-4);
    }

    [Fact]
    public void GrayIsZeroAndPureRedIsItsMeanTerm()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Equal(0, Colorfulness.Compute(torch.full(new long[] { 3, 4, 4 }, 0.5)).item<double>(), 5);
        var red = torch.zeros(3, 4, 4);
        red[0] = torch.ones(4, 4);
        // rg = 255, yb = 127.5 everywhere: no spread, M = 0.3·sqrt(255² + 127.5²).
        Assert.Equal(0.3 * Math.Sqrt(255 * 255 + 127.5 * 127.5), Colorfulness.Compute(red).item<double>(), 3);
    }
}
