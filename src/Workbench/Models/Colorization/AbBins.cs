using Workbench.Data;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.Colorization;

/// <summary>
/// Zhang, Isola and Efros 2016 ("Colorful Image Colorization"): the ab plane of CIE Lab quantized into square bins
/// of side <see cref="Step"/>, keeping the bins that sRGB colours reach (313 with their grid of 10). Colour becomes
/// a class per pixel, so the network predicts a distribution instead of the washed-out mean that a regression
/// loss settles for; <see cref="AnnealedMean"/> turns the distribution back into a colour.
/// </summary>
public sealed class AbBins : IDisposable
{
    /// <summary>The grid spans [−Limit, Limit] in a and b (sRGB's ab values lie within about ±110).</summary>
    public const double Limit = 110;

    private readonly Tensor gridToBin; // (G·G) int64: the in-gamut bin nearest to each grid cell

    /// <param name="step">Bin side in ab units (the paper: 10).</param>
    public AbBins(double step = 10)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        Step = step;
        GridSize = (int)Math.Round(2 * Limit / step) + 1;
        var occupied = SrgbOccupancy();                                        // per grid cell
        var centres = new List<float>();
        for (var cell = 0; cell < occupied.Length; cell++)
            if (occupied[cell]) centres.AddRange(new[] { CellCentre(cell / GridSize), CellCentre(cell % GridSize) });
        Centers = torch.tensor(centres.ToArray(), new long[] { centres.Count / 2, 2 });  // (Q, 2): a, b
        // Every grid cell points at its nearest in-gamut centre, so any ab (even out of gamut) encodes to a bin.
        var nearest = new long[occupied.Length];
        for (var cell = 0; cell < occupied.Length; cell++)
        {
            var (a, b) = (CellCentre(cell / GridSize), CellCentre(cell % GridSize));
            var best = double.MaxValue;
            for (var q = 0; q < centres.Count / 2; q++)
            {
                var d = Math.Pow(centres[2 * q] - a, 2) + Math.Pow(centres[2 * q + 1] - b, 2);
                if (d < best) (best, nearest[cell]) = (d, q);
            }
        }
        gridToBin = torch.tensor(nearest, new long[] { nearest.Length });
    }

    public double Step { get; }

    /// <summary>Grid cells per axis.</summary>
    public int GridSize { get; }

    /// <summary>(Q, 2) float32: the a and b of each bin's centre.</summary>
    public Tensor Centers { get; }

    /// <summary>Q, the number of classes.</summary>
    public long Count => Centers.size(0);

    /// <summary>Nearest bin of each ab pair: (N, 2, H, W) float → (N, H, W) int64 (hard encoding).</summary>
    public Tensor Encode(Tensor ab)
    {
        if (ab.dim() != 4 || ab.size(1) != 2) throw new ArgumentException($"expected (N, 2, H, W) ab, got [{string.Join(", ", ab.shape)}]", nameof(ab));
        using var scope = torch.NewDisposeScope();
        var grid = ((ab.to(ScalarType.Float32) + Limit) / Step).round().clamp(0, GridSize - 1).to(ScalarType.Int64);
        var cell = grid.select(1, 0) * GridSize + grid.select(1, 1);            // (N, H, W)
        return gridToBin.index_select(0, cell.flatten()).view_as(cell).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The paper's annealed mean: the mean of the bin centres under softmax(logits / T). T = 1 is the mean (dull,
    /// sepia-like), T → 0 the mode (vivid, patchy); the paper uses 0.38. (N, Q, H, W) → (N, 2, H, W).
    /// </summary>
    public Tensor AnnealedMean(Tensor logits, double temperature)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(temperature, 0);
        if (logits.dim() != 4 || logits.size(1) != Count) throw new ArgumentException($"expected (N, {Count}, H, W) logits, got [{string.Join(", ", logits.shape)}]", nameof(logits));
        using var scope = torch.NewDisposeScope();
        var p = F.softmax(logits.to(ScalarType.Float32) / temperature, 1);      // (N, Q, H, W)
        var centers = Centers.to(logits.device);
        return torch.einsum("nqhw,qc->nchw", p, centers).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Per cell, how much the distribution softmax(logits) agrees on one hue: |E[ab]| / (E[|ab|] + 1), in [0, 1). Near 1
    /// when the mass lies on one side of gray (however spread in saturation), near 0 when it is split between opposite
    /// hues, where the mean is a colour no bin proposed. (N, Q, H, W) → (N, 1, H, W). The + 1 (ab units) keeps cells
    /// whose mass is all near gray from counting as sure.
    /// </summary>
    public Tensor HueAgreement(Tensor logits)
    {
        if (logits.dim() != 4 || logits.size(1) != Count) throw new ArgumentException($"expected (N, {Count}, H, W) logits, got [{string.Join(", ", logits.shape)}]", nameof(logits));
        using var scope = torch.NewDisposeScope();
        var p = F.softmax(logits.to(ScalarType.Float32), 1);
        var centers = Centers.to(logits.device);
        var mean = torch.einsum("nqhw,qc->nchw", p, centers);                                  // (N, 2, H, W)
        var magnitude = torch.einsum("nqhw,q->nhw", p, centers.pow(2).sum(1).sqrt()).unsqueeze(1); // (N, 1, H, W)
        return (mean.pow(2).sum(1, keepdim: true).sqrt() / (magnitude + 1)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// How often each bin occurs in <paramref name="ab"/> (N, 2, H, W), as a distribution (Q): the empirical prior
    /// that <see cref="RebalanceWeights"/> flattens.
    /// </summary>
    public Tensor Histogram(Tensor ab)
    {
        using var bins = Encode(ab);
        var counts = new double[Count];
        foreach (var q in bins.flatten().data<long>()) counts[q]++;
        var total = Math.Max(1, counts.Sum());
        return torch.tensor(counts.Select(c => (float)(c / total)).ToArray(), new[] { Count });
    }

    /// <summary>
    /// The paper's class rebalancing: w ∝ ((1 − λ)·p̃ + λ/Q)⁻¹, p̃ the prior smoothed by a Gaussian of
    /// <paramref name="sigma"/> ab units, normalised so that E_p̃[w] = 1. Rare, saturated colours get up to
    /// 1/λ times the weight of the common desaturated ones (λ = 0.5, σ = 5 in the paper).
    /// </summary>
    public Tensor RebalanceWeights(Tensor prior, double lambda = 0.5, double sigma = 5)
    {
        if (prior.dim() != 1 || prior.size(0) != Count) throw new ArgumentException($"expected a prior of {Count} bins, got [{string.Join(", ", prior.shape)}]", nameof(prior));
        if (lambda is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "lambda must be in (0, 1]");
        using var scope = torch.NewDisposeScope();
        var d2 = (Centers.unsqueeze(1) - Centers.unsqueeze(0)).square().sum(-1); // (Q, Q)
        var kernel = (d2 / (-2 * sigma * sigma)).exp();
        var smooth = torch.mv(kernel, prior.to(ScalarType.Float32));
        smooth = smooth / smooth.sum();
        var w = ((1 - lambda) * smooth + lambda / Count).reciprocal();
        return (w / (smooth * w).sum()).MoveToOuterDisposeScope();
    }

    private float CellCentre(int index) => (float)(index * Step - Limit);

    /// <summary>Which grid cells sRGB colours reach: a 33³ lattice of the RGB cube, converted to Lab.</summary>
    private bool[] SrgbOccupancy()
    {
        using var scope = torch.NewDisposeScope();
        var levels = Enumerable.Range(0, 33).Select(i => i / 32f).ToArray();
        var lattice = new float[3 * 33 * 33 * 33];
        var n = 33 * 33 * 33;
        for (var i = 0; i < n; i++)
            (lattice[i], lattice[n + i], lattice[2 * n + i]) = (levels[i / (33 * 33)], levels[i / 33 % 33], levels[i % 33]);
        var rgb = torch.tensor(lattice, new long[] { 3, 33 * 33, 33 });        // (3, H, W) for ColorSpace
        var ab = ColorSpace.RgbToLab(rgb).narrow(0, 1, 2).reshape(2, -1).contiguous().data<float>();
        var occupied = new bool[GridSize * GridSize];
        for (var i = 0; i < n; i++)
        {
            var ga = Math.Clamp((int)Math.Round((ab[i] + Limit) / Step), 0, GridSize - 1);
            var gb = Math.Clamp((int)Math.Round((ab[n + i] + Limit) / Step), 0, GridSize - 1);
            occupied[ga * GridSize + gb] = true;
        }
        return occupied;
    }

    public void Dispose()
    {
        Centers.Dispose();
        gridToBin.Dispose();
    }
}
