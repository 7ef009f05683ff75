using System.Globalization;

namespace Workbench.Experiments;

/// <summary>Mean ± std helpers for seeds.</summary>
internal static class Stats
{
    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public static double Std(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        var mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }

    public static double StandardErrorOfDifference(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        Math.Sqrt(Std(a) * Std(a) / a.Count + Std(b) * Std(b) / b.Count);

    public static string PlusMinus(IReadOnlyList<double> values, int decimals)
    {
        var format = "F" + decimals.ToString(CultureInfo.InvariantCulture);
        var mean = values.Average().ToString(format, CultureInfo.InvariantCulture);
        return values.Count < 2 ? mean : $"{mean} ± {Std(values).ToString(format, CultureInfo.InvariantCulture)}";
    }
}
