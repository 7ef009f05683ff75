using Workbench.Logging;

namespace Workbench.Tests.Logging;

public sealed class HistogramTests
{
    [Fact]
    public void DefaultLimitsAreTensorFlowsExponentialLayout()
    {
        var limits = Histogram.DefaultBucketLimits;
        Assert.Equal(-double.MaxValue, limits[0]);
        Assert.Equal(double.MaxValue, limits[^1]);
        var zero = limits.ToList().IndexOf(0);
        Assert.Equal(1e-12, limits[zero + 1]);
        Assert.Equal(-1e-12, limits[zero - 1]);
        Assert.Equal(limits.Count - 1 - zero, zero);  // symmetric around 0
        for (var i = zero + 2; i < limits.Count - 1; i++) Assert.Equal(1.1, limits[i] / limits[i - 1], 12);
        Assert.True(limits[^2] < 1e20 && limits[^2] * 1.1 >= 1e20);
    }

    [Fact]
    public void ValueOnALimitGoesToTheBucketAboveIt()
    {
        var limits = Histogram.DefaultBucketLimits;
        var zero = limits.ToList().IndexOf(0);
        var h = Histogram.Build(new[] { 0.0, limits[zero + 5], limits[zero + 5] * 1.05 });
        // 0 lies in [0, 1e-12); limit[k] and a value just above it lie in [limit[k], limit[k+1]);
        // the empty buckets between them collapse into one ending at limit[k].
        Assert.Equal(new[] { limits[zero + 1], limits[zero + 5], limits[zero + 6] }, h.BucketLimit);
        Assert.Equal(new double[] { 1, 0, 2 }, h.Bucket);
    }

    [Fact]
    public void StatisticsSkipNonFiniteValues()
    {
        var h = Histogram.Build(new[] { -2.0, 3.0, double.NaN, double.PositiveInfinity });
        Assert.Equal((2.0, -2.0, 3.0, 1.0, 13.0), (h.Num, h.Min, h.Max, h.Sum, h.SumSquares));
        Assert.Equal(2, h.Bucket.Sum());
    }

    [Fact]
    public void EmptyInputHasNoBuckets()
    {
        var h = Histogram.Build(ReadOnlySpan<double>.Empty);
        Assert.Equal(0, h.Num);
        Assert.Empty(h.Bucket);
    }
}
