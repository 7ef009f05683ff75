using Workbench.Recipes;
using Workbench.Evaluation;

namespace Workbench.Tests.Evaluation;

public sealed class DecodingChoiceTests
{
    // Three photos whose originals have colourfulness 40; the floor at 45 % is 18 on average.
    private static readonly double[] Originals = [40, 40, 40];

    private static DecodingChoice.Candidate<string> C(string name, double[] chroma, double[] colour) => new(name, chroma, colour);

    [Fact]
    public void TheLowestChromaErrorAboveTheColourfulnessFloorWinsElseTheMostColourful()
    {
        var candidates = new[]
        {
            C("gray-ish", [10, 10, 10], [5, 5, 5]),      // best error, but below the floor
            C("bold", [20, 20, 20], [30, 30, 30]),
            C("moderate", [15, 15, 15], [20, 20, 20]),
        };
        Assert.Equal(2, DecodingChoice.Best(candidates, Originals, 0.45, [0, 1, 2]));
        Assert.Equal(1, DecodingChoice.Best(candidates, Originals, 0.9, [0, 1, 2])); // none reaches 36: the most colourful
    }

    [Fact]
    public void LeaveOneOutScoresEachPhotoWithTheChoiceMadeOnTheOthers()
    {
        // "a" wins on photos 1 and 2 but fails photo 0 badly; "b" is steady. Choosing on all three picks "b"
        // (mean 12 vs 13.3); leaving out photo 1 or 2 still picks "b", leaving out photo 0 picks "a".
        var candidates = new[] { C("a", [30, 5, 5], [20, 20, 20]), C("b", [12, 12, 12], [20, 20, 20]) };
        var reference = new DecodingChoice.Reference([11, 13, 14], Originals);
        Assert.Equal(1, DecodingChoice.Best(candidates, Originals, 0.45, [0, 1, 2]));
        var estimate = DecodingChoice.LeaveOneOut(candidates, reference, 0.45)!;
        Assert.Equal((30 + 12 + 12) / 3.0, estimate.ChromaError, 1e-12);
        Assert.Equal(38 / 3.0, estimate.GrayChromaError, 1e-12);
        Assert.Equal(2, estimate.BetterThanGray); // photos 1 and 2 (12 < 13, 12 < 14); photo 0 got "a": 30 > 11
        Assert.Equal(0.5, estimate.ColorfulnessShare, 1e-12);
        Assert.Null(DecodingChoice.LeaveOneOut(candidates, new DecodingChoice.Reference([11], [40]), 0.45));
    }
}
