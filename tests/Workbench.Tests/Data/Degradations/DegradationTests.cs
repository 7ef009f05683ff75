using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class DegradationTests
{
    private static readonly Degradation Brighten = Degradation.Create("Brighten", (x, _) => x.add(0.1));
    private static readonly Degradation Darken = Degradation.Create("Darken", (x, _) => x.sub(0.2));

    [Fact]
    public void SequenceAppliesStepsInOrderAndFlattensInNames()
    {
        using var input = Picture();
        using var scope = torch.NewDisposeScope();
        var chain = Brighten.Then(Darken).Then(Brighten);
        var expected = input.add(0.1).clamp(0.0, 1.0).sub(0.2).clamp(0.0, 1.0).add(0.1).clamp(0.0, 1.0);
        Assert.Equal(expected.data<float>(), chain.Apply(input, new Random(0)).data<float>());
        Assert.Equal("Brighten → Darken → Brighten", chain.Name);
    }

    [Fact]
    public void WithProbabilityAppliesAboutThatOften()
    {
        using var input = Picture();
        var maybe = Brighten.WithProbability(0.3);
        var random = new Random(5);
        var applied = 0;
        for (var i = 0; i < 400; i++)
        {
            using var scope = torch.NewDisposeScope();
            if (MaxAbsDifference(maybe.Apply(input, random), input) > 0) applied++;
        }
        Assert.InRange(applied, 90, 150); // 120 expected
        DeterministicAndInRange(maybe, input);
        Assert.Throws<ArgumentOutOfRangeException>(() => Brighten.WithProbability(1.5));
    }

    [Fact]
    public void OneOfPicksByWeight()
    {
        using var input = Picture();
        var pick = Degradation.OneOf((Brighten, 3.0), (Darken, 1.0), (Degradation.Identity, 0.0));
        var random = new Random(9);
        var (brightened, darkened) = (0, 0);
        for (var i = 0; i < 400; i++)
        {
            using var scope = torch.NewDisposeScope();
            var mean = pick.Apply(input, random).mean().item<float>() - input.mean().item<float>();
            if (mean > 0) brightened++;
            else if (mean < 0) darkened++;
        }
        Assert.Equal(400, brightened + darkened); // the zero-weight identity never runs
        Assert.InRange(brightened, 270, 330);
        Assert.Throws<ArgumentException>(() => Degradation.OneOf(Array.Empty<Degradation>()));
    }

    [Fact]
    public void RejectsWhatIsNotAFloatChwImage()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Brighten.Apply(torch.zeros(2, 8, 8), new Random(0)));
        Assert.Throws<ArgumentException>(() => Brighten.Apply(torch.zeros(1, 3, 8, 8), new Random(0)));
        Assert.Throws<ArgumentException>(() => Brighten.Apply(torch.zeros([3, 8, 8], ScalarType.UInt8), new Random(0)));
    }

    [Fact]
    public void ValueRangeValidatesAndSamplesWithinBounds()
    {
        var range = new ValueRange(2, 5);
        var random = new Random(1);
        for (var i = 0; i < 100; i++)
        {
            Assert.InRange(range.Sample(random), 2, 5);
            Assert.InRange(range.SampleInt(random), 2, 5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new ValueRange(3, 1).Validate("x", 0, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianNoise((0.1, 2.0)));
    }
}
