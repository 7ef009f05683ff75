using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// A state_dict layout that an architecture reads: its own, or one a published checkpoint uses.
/// <see cref="Recognise"/> returns the hyperparameters that the keys and shapes reveal (empty when they reveal none),
/// or null when the weights are not in this layout; <see cref="ToOurs"/> renames the layout's keys to the network's.
/// </summary>
public sealed record KeyLayout(
    string Name,
    Func<IReadOnlyDictionary<string, Tensor>, Dictionary<string, string>?> Recognise,
    Func<IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? ToOurs = null)
{
    /// <summary>The weights with this layout's keys renamed to the network's.</summary>
    public IReadOnlyDictionary<string, Tensor> Convert(IReadOnlyDictionary<string, Tensor> weights) => ToOurs?.Invoke(weights) ?? weights;
}

/// <summary>
/// One entry of <see cref="ModelRegistry"/>: a name (what weights files record as <c>arch</c>), the task it serves,
/// a builder from hyperparameters (flat strings, as saved in safetensors metadata) and the key layouts it accepts.
/// </summary>
public sealed record ModelArchitecture(
    string Name,
    string Task,
    string Description,
    Func<IReadOnlyDictionary<string, string>, nn.Module<Tensor, Tensor>> Build,
    IReadOnlyList<KeyLayout> Layouts)
{
    /// <summary>The first layout that recognises <paramref name="weights"/>, with the hyperparameters it read; null when none does.</summary>
    public (KeyLayout Layout, Dictionary<string, string> Hyperparameters)? Recognise(IReadOnlyDictionary<string, Tensor> weights)
    {
        foreach (var layout in Layouts)
            if (layout.Recognise(weights) is { } hyperparameters) return (layout, hyperparameters);
        return null;
    }
}
