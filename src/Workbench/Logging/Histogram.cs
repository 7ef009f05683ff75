using Workbench.Logging.Protos;

namespace Workbench.Logging;

/// <summary>
/// Buckets values the way TensorFlow's default histogram does: exponential bucket limits
/// ±1e-12·1.1^k (k = 0.., below 1e20), 0 in between and ±DBL_MAX at the ends, so one layout serves
/// weights of any scale with about 10% relative resolution. Bucket i counts values v with
/// limit[i-1] &lt;= v &lt; limit[i]. The proto keeps the buckets from the first to the last non-empty
/// one, each with its right edge as bucket_limit; a run of empty buckets in between becomes one empty
/// bucket, as TensorFlow's EncodeToProto does (near 0 the buckets are dense, most of them empty).
/// Non-finite values (NaN, ±inf) are left out of every statistic.
/// </summary>
public static class Histogram
{
    /// <summary>TensorFlow's default bucket limits (ascending, ends at DBL_MAX).</summary>
    public static IReadOnlyList<double> DefaultBucketLimits { get; } = BuildDefaultLimits();

    private static double[] BuildDefaultLimits()
    {
        var positive = new List<double>();
        for (var v = 1e-12; v < 1e20; v *= 1.1) positive.Add(v);
        var limits = new List<double>(2 * positive.Count + 3) { -double.MaxValue };
        for (var i = positive.Count - 1; i >= 0; i--) limits.Add(-positive[i]);
        limits.Add(0);
        limits.AddRange(positive);
        limits.Add(double.MaxValue);
        return limits.ToArray();
    }

    /// <summary>The histogram of <paramref name="values"/> as TensorBoard's HistogramProto.</summary>
    public static HistogramProto Build(ReadOnlySpan<double> values)
    {
        var limits = (double[])DefaultBucketLimits;
        var counts = new long[limits.Length];
        double min = double.PositiveInfinity, max = double.NegativeInfinity, sum = 0, sumSquares = 0;
        long num = 0;
        foreach (var v in values)
        {
            if (!double.IsFinite(v)) continue;
            counts[BucketOf(limits, v)]++;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            sum += v;
            sumSquares += v * v;
            num++;
        }

        var proto = new HistogramProto { Num = num, Sum = sum, SumSquares = sumSquares, Min = num > 0 ? min : 0, Max = num > 0 ? max : 0 };
        if (num == 0) return proto;
        var first = Array.FindIndex(counts, c => c > 0);
        var last = Array.FindLastIndex(counts, c => c > 0);
        for (var i = first; i <= last; i++)
        {
            if (counts[i] == 0)
                while (counts[i + 1] == 0) i++;  // the run ends before `last`, which is non-empty
            proto.BucketLimit.Add(limits[i]);
            proto.Bucket.Add(counts[i]);
        }
        return proto;
    }

    /// <summary>Index of the first limit above <paramref name="v"/> (upper_bound), as TensorFlow's Histogram::Add.</summary>
    internal static int BucketOf(double[] limits, double v)
    {
        int lo = 0, hi = limits.Length - 1;  // the last limit (DBL_MAX) is above every finite value but DBL_MAX itself
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (limits[mid] > v) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }
}
