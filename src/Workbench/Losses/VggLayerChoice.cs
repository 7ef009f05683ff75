using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Losses;

/// <summary>What the VGG feature losses (perceptual, gram) check and share about the layers they read.</summary>
internal static class VggLayerChoice
{
    /// <summary>The per-layer weights (1 each when none are given), after checking <paramref name="layers"/> exist in <paramref name="vgg"/>.</summary>
    public static double[] Weights(Vgg vgg, IReadOnlyList<int> layers, IReadOnlyList<double>? weights, string loss)
    {
        if (layers.Count == 0) throw new ArgumentException($"a {loss} loss needs at least one layer", nameof(layers));
        if (weights is not null && weights.Count != layers.Count) throw new ArgumentException($"{layers.Count} layers but {weights.Count} weights", nameof(weights));
        if (layers.Any(l => l >= vgg.LayerCount)) throw new ArgumentException($"the VGG has layers 0..{vgg.LayerCount - 1}; asked for {string.Join(", ", layers)}", nameof(layers));
        return weights?.ToArray() ?? Enumerable.Repeat(1.0, layers.Count).ToArray();
    }

    /// <summary>ImageNet's channel mean and std as (1, 3, 1, 1), outside any dispose scope (the loss keeps them).</summary>
    public static (Tensor Mean, Tensor Std) ImageNetStatistics() =>
        (torch.tensor(new[] { 0.485f, 0.456f, 0.406f }, [1, 3, 1, 1]).DetachFromDisposeScope(),
         torch.tensor(new[] { 0.229f, 0.224f, 0.225f }, [1, 3, 1, 1]).DetachFromDisposeScope());
}
