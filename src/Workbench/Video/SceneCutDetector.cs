namespace Workbench.Video;

/// <summary>
/// Finds shot boundaries between consecutive gray frames, where propagating colour or detail along the flow would
/// carry the last shot's into the next. A cut is a jump in the brightness histogram (different content) or a flow that
/// holds almost nowhere (the same brightness, but nothing of the previous frame can be found in this one).
/// </summary>
public sealed class SceneCutDetector
{
    private const int Bins = 32;

    /// <summary>Half the L1 distance between normalised 32-bin histograms (0 = same, 1 = disjoint) above which frames are cut.</summary>
    public double HistogramThreshold { get; init; } = 0.4;

    /// <summary>Share of pixels passing the forward–backward check below which frames are cut.</summary>
    public double ReliableThreshold { get; init; } = 0.2;

    /// <summary>True when <paramref name="gray"/> starts a new shot after <paramref name="previous"/>; <paramref name="reliable"/> is the flow's passing share.</summary>
    public bool IsCut(ReadOnlySpan<byte> previous, ReadOnlySpan<byte> gray, double reliable) =>
        HistogramDistance(previous, gray) > HistogramThreshold || reliable < ReliableThreshold;

    /// <summary>Half the L1 distance between the frames' normalised brightness histograms, in [0, 1].</summary>
    public static double HistogramDistance(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        Span<long> ha = stackalloc long[Bins];
        Span<long> hb = stackalloc long[Bins];
        foreach (var v in a) ha[v * Bins / 256]++;
        foreach (var v in b) hb[v * Bins / 256]++;
        double distance = 0;
        for (var i = 0; i < Bins; i++) distance += Math.Abs((double)ha[i] / a.Length - (double)hb[i] / b.Length);
        return distance / 2;
    }
}
