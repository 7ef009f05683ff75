using Workbench.Torch;

namespace Workbench.Losses;

/// <summary>One named, weighted part of a loss: (output, target) → scalar tensor.</summary>
public sealed record LossTerm(string Name, double Weight, Func<Tensor, Tensor, Tensor> Compute)
{
    /// <summary>The term computed on NCHW crops without <paramref name="border"/> pixels at each side (edge pixels lack context).</summary>
    public LossTerm Shaved(int border) =>
        border == 0 ? this : this with { Compute = (o, t) => Compute(Shave(o, border), Shave(t, border)) };

    private static Tensor Shave(Tensor x, int b) => x.narrow(2, b, x.size(2) - 2 * b).narrow(3, b, x.size(3) - 2 * b);
}

/// <summary>
/// A weighted sum of named parts (pixel, perceptual, gram, ...). Each part's unweighted value is
/// reported, so a loss curve shows which part moves. It owns what its parts hold (<see cref="Own{T}"/>: a VGG, a
/// feature loss) and frees them with itself.
/// </summary>
public sealed class CompositeLoss : IDisposable
{
    private readonly List<LossTerm> terms;
    private readonly List<IDisposable> owned = [];

    public CompositeLoss(params LossTerm[] terms) => this.terms = terms.ToList();

    public IReadOnlyList<LossTerm> Terms => terms;

    public CompositeLoss Add(LossTerm term)
    {
        terms.Add(term);
        return this;
    }

    /// <summary>Keeps <paramref name="item"/> until this loss is disposed, in reverse order of ownership.</summary>
    public T Own<T>(T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    public void Dispose()
    {
        for (var i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        owned.Clear();
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
