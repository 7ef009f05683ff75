using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>Degradations applied in order (Real-ESRGAN's blur → resize → noise → JPEG, once or twice).</summary>
public sealed class DegradationPipeline : Degradation
{
    public DegradationPipeline(IEnumerable<Degradation> steps)
    {
        // Nested pipelines are flattened so ToString lists the real steps.
        Steps = steps.SelectMany(s => s is DegradationPipeline p ? p.Steps : [s]).ToList();
    }

    public IReadOnlyList<Degradation> Steps { get; }

    public override string Name => Steps.Count == 0 ? "Identity" : string.Join(" → ", Steps.Select(s => s.Name));

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var x = image;
        foreach (var step in Steps) x = step.Apply(x, random);
        return ReferenceEquals(x, image) ? image.clone() : x;
    }
}

/// <summary>Applies a degradation with a probability, otherwise passes the image through.</summary>
public sealed class RandomApply : Degradation
{
    public RandomApply(Degradation inner, double probability)
    {
        if (!(probability >= 0 && probability <= 1)) throw new ArgumentOutOfRangeException(nameof(probability), probability, "a probability is in [0, 1]");
        Inner = inner;
        Probability = probability;
    }

    public Degradation Inner { get; }

    public double Probability { get; }

    public override string Name => $"{Inner.Name} (p={Probability:G3})";

    // The coin is always tossed, so the draws that follow do not depend on the outcome's history.
    protected override Tensor ApplyCore(Tensor image, Random random) =>
        random.NextDouble() < Probability ? Inner.Apply(image, random) : image.clone();
}

/// <summary>Applies one of several degradations, picked at random with weights.</summary>
public sealed class OneOfDegradation : Degradation
{
    private readonly double total;

    public OneOfDegradation(IReadOnlyList<(Degradation Choice, double Weight)> choices)
    {
        if (choices.Count == 0) throw new ArgumentException("OneOf needs at least one choice", nameof(choices));
        if (choices.Any(c => !(c.Weight >= 0)) || choices.Sum(c => c.Weight) <= 0)
            throw new ArgumentException("OneOf weights must be non-negative with a positive sum", nameof(choices));
        Choices = choices;
        total = choices.Sum(c => c.Weight);
    }

    public IReadOnlyList<(Degradation Choice, double Weight)> Choices { get; }

    public override string Name => "OneOf(" + string.Join(" | ", Choices.Select(c => c.Choice.Name)) + ")";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var pick = random.NextDouble() * total;
        foreach (var (choice, weight) in Choices)
        {
            if (pick < weight) return choice.Apply(image, random);
            pick -= weight;
        }
        return Choices.Last(c => c.Weight > 0).Choice.Apply(image, random); // rounding at the top end
    }
}
