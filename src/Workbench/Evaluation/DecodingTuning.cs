using Workbench.Data.Degradations;
using Workbench.Inference;
using Workbench.Models.Colorization;
using Workbench.Torch;

namespace Workbench.Evaluation;

/// <summary>
/// The decoding settings a grid search tries (every combination), and its colourfulness floor: the choice is the
/// lowest chroma error among decodings whose colourfulness reaches <see cref="MinColorfulnessShare"/> of the originals'.
/// </summary>
public sealed record DecodingGrid(double[] Temperatures, double[] ChromaScales, double[] Smoothings, double[] PriorCorrections, double MinColorfulnessShare,
    double[]? Certainties = null)
{
    /// <summary>Certainty exponents κ tried (<see cref="ZhangSpec.Certainty"/>); 0 (off) when none are given.</summary>
    public double[] CertaintyExponents => Certainties is { Length: > 0 } c ? c : [0.0];
}

/// <summary>The decoding <see cref="DecodingTuning.Tune"/> chose, and the leave-one-photo-out estimate of the choice (null with one photo).</summary>
public sealed record DecodingTuning(ZhangDecoding Chosen, DecodingChoice.Estimate? LeaveOneOut)
{
    /// <summary>
    /// The grid search over <paramref name="grid"/>'s temperatures, chroma scales, smoothings and prior corrections (only
    /// α = 0 when the colorizer has no class weights recorded) on <paramref name="files"/>; the colorizer's decoding is
    /// left as it was. Also estimates, by <see cref="DecodingChoice.LeaveOneOut"/>, what the choice is worth on photos it
    /// was not made on.
    /// </summary>
    public static DecodingTuning Tune(ZhangColorizer zhang, IReadOnlyList<string> files, DecodingGrid grid, Device device, TextWriter log, int renderSize = 256)
    {
        var original = zhang.Decoding;
        var candidates = new List<DecodingChoice.Candidate<ZhangDecoding>>();
        DecodingChoice.Reference? reference = null;
        var corrections = zhang.HasClassWeights ? grid.PriorCorrections : [0.0];
        if (!zhang.HasClassWeights) log.WriteLine("zhang: no class weights recorded with this colorizer; prior correction not tried");
        using var colorizer = new Colorizer(zhang, new ColorizerOptions { Device = device, RenderSize = renderSize }, ownsModel: false);
        foreach (var alpha in corrections)
            foreach (var smoothing in grid.Smoothings)
                foreach (var t in grid.Temperatures)
                    foreach (var scale in grid.ChromaScales)
                    foreach (var kappa in grid.CertaintyExponents)
                    {
                        var d = new ZhangDecoding(t, scale, smoothing, alpha, kappa);
                        zhang.SetDecoding(d);
                        var r = ColorizeEvaluation.Run(colorizer, files, new FilmGrayscale(), seed: 1, baselines: reference is null);
                        reference ??= new(r.Scores.Where(s => s.Method == "input").Select(s => s.ChromaError).ToList(), r.OriginalColorfulness);
                        var model = r.Scores.Where(s => s.Method == "model").ToList();
                        candidates.Add(new(d, model.Select(s => s.ChromaError).ToList(), model.Select(s => s.Colorfulness).ToList()));
                        var m = r.Mean("model");
                        log.WriteLine($"zhang: {d}: chroma error {m.ChromaError:F2}, colourfulness {m.Colorfulness:F1} (originals {r.TargetColorfulness:F1})");
                    }
        zhang.SetDecoding(original);
        zhang.Net.train();
        var all = Enumerable.Range(0, files.Count).ToList();
        var best = candidates[DecodingChoice.Best(candidates, reference!.OriginalColorfulness, grid.MinColorfulnessShare, all)];
        log.WriteLine($"zhang: chose {best.Setting} on {files.Count} validation photos (chroma error {best.ChromaError.Average():F2}, colourfulness {best.Colorfulness.Average():F1})");
        var estimate = DecodingChoice.LeaveOneOut(candidates, reference, grid.MinColorfulnessShare);
        if (estimate is not null) log.WriteLine($"zhang: leave-one-photo-out estimate of this choice: {estimate}");
        return new DecodingTuning(best.Setting, estimate);
    }
}
