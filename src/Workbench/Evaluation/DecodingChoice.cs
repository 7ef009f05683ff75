namespace Workbench.Evaluation;

/// <summary>
/// Choosing among decodings from per-photo scores, and what that choice is worth on a photo it did not see. The rule
/// (lowest mean Lab chroma error among the candidates whose mean colourfulness reaches a share of the originals', else
/// the most colourful) is fitted to the photos it is given; <see cref="LeaveOneOut"/> runs the same rule on all photos
/// but one and scores the pick on that one, once per photo, so the estimate does not flatter the choice.
/// </summary>
public static class DecodingChoice
{
    /// <summary>One candidate's scores, per photo in a fixed order.</summary>
    public sealed record Candidate<T>(T Setting, IReadOnlyList<double> ChromaError, IReadOnlyList<double> Colorfulness);

    /// <summary>Per photo: the chroma error of the gray input and the originals' colourfulness (same order as the candidates').</summary>
    public sealed record Reference(IReadOnlyList<double> GrayChromaError, IReadOnlyList<double> OriginalColorfulness);

    /// <summary>Leave-one-photo-out: each photo scored with the candidate chosen on the others.</summary>
    public sealed record Estimate(double ChromaError, double GrayChromaError, double Colorfulness, double OriginalColorfulness, int BetterThanGray, int Photos)
    {
        public double ColorfulnessShare => Colorfulness / OriginalColorfulness;

        public override string ToString() => FormattableString.Invariant(
            $"chroma error {ChromaError:F2} (gray {GrayChromaError:F2}), colourfulness {Colorfulness:F1} = {ColorfulnessShare:P0} of the originals', better than gray on {BetterThanGray} of {Photos}");
    }

    /// <summary>The index of the candidate the rule picks on <paramref name="photos"/> (indices into the per-photo lists).</summary>
    public static int Best<T>(IReadOnlyList<Candidate<T>> candidates, IReadOnlyList<double> originalColorfulness, double minColorfulnessShare,
        IReadOnlyList<int> photos)
    {
        if (candidates.Count == 0) throw new ArgumentException("no candidates", nameof(candidates));
        if (photos.Count == 0) throw new ArgumentException("no photos to choose on", nameof(photos));
        var floor = minColorfulnessShare * photos.Average(p => originalColorfulness[p]);
        var best = -1;
        for (var k = 0; k < candidates.Count; k++)
        {
            if (photos.Average(p => candidates[k].Colorfulness[p]) < floor) continue;
            if (best < 0 || photos.Average(p => candidates[k].ChromaError[p]) < photos.Average(p => candidates[best].ChromaError[p])) best = k;
        }
        if (best >= 0) return best;
        best = 0;
        for (var k = 1; k < candidates.Count; k++)
            if (photos.Average(p => candidates[k].Colorfulness[p]) > photos.Average(p => candidates[best].Colorfulness[p])) best = k;
        return best;
    }

    /// <summary>Each photo scored with the candidate <see cref="Best"/> picks on the other photos; null with fewer than 2 photos.</summary>
    public static Estimate? LeaveOneOut<T>(IReadOnlyList<Candidate<T>> candidates, Reference reference, double minColorfulnessShare)
    {
        var n = reference.GrayChromaError.Count;
        if (n < 2) return null;
        var chroma = new double[n];
        var colorfulness = new double[n];
        for (var i = 0; i < n; i++)
        {
            var others = Enumerable.Range(0, n).Where(p => p != i).ToList();
            var k = Best(candidates, reference.OriginalColorfulness, minColorfulnessShare, others);
            chroma[i] = candidates[k].ChromaError[i];
            colorfulness[i] = candidates[k].Colorfulness[i];
        }
        return new Estimate(chroma.Average(), reference.GrayChromaError.Average(), colorfulness.Average(), reference.OriginalColorfulness.Average(),
            Enumerable.Range(0, n).Count(i => chroma[i] < reference.GrayChromaError[i]), n);
    }
}
