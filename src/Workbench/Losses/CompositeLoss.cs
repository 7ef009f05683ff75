using Workbench.Torch;

namespace Workbench.Losses;

/// <summary>One named, weighted part of a loss: (output, target) → scalar tensor.</summary>
public sealed record LossTerm(string Name, double Weight, Func<Tensor, Tensor, Tensor> Compute);

/// <summary>
/// A weighted sum of named parts (pixel, perceptual, gram, ...). Each part's unweighted value is
/// reported, so a loss curve shows which part moves.
/// </summary>
public sealed class CompositeLoss
{
    private readonly List<LossTerm> terms;

    public CompositeLoss(params LossTerm[] terms) => this.terms = terms.ToList();

    public IReadOnlyList<LossTerm> Terms => terms;

    public CompositeLoss Add(LossTerm term)
    {
        terms.Add(term);
        return this;
    }

    /// <summary>The total to backpropagate and each term's value; tensors belong to the caller's scope.</summary>
    public (Tensor Total, Dictionary<string, double> Values) Compute(Tensor output, Tensor target)
    {
        if (terms.Count == 0) throw new InvalidOperationException("the loss has no terms");
        Tensor? total = null;
        var values = new Dictionary<string, double>();
        foreach (var term in terms)
        {
            var value = term.Compute(output, target);
            values[term.Name] = value.item<double>();
            var weighted = term.Weight == 1 ? value : value * term.Weight;
            total = total is null ? weighted : total + weighted;
        }
        return (total!, values);
    }

    public override string ToString() => string.Join(" + ", terms.Select(t => t.Weight == 1 ? t.Name : $"{t.Weight:G3}·{t.Name}"));
}
