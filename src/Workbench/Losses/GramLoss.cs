using Workbench.Models;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>
/// Gram (style) loss (Gatys et al.; Johnson et al.'s "Perceptual Losses for Real-Time Style Transfer and
/// Super-Resolution"; fastai lesson 7 adds it to the feature loss): Σ wᵢ · d(G(φᵢ(output)), G(φᵢ(target))) with
/// G(φ) = φφᵀ / (C·H·W) per image, the channel correlations. It matches texture statistics regardless of where
/// they occur. Same VGG conventions as <see cref="PerceptualLoss"/> (ImageNet normalization, frozen extractor,
/// pre-activation features, a warning and <see cref="IsPretrained"/> false on random weights).
/// </summary>
public sealed class GramLoss : IDisposable
{
    private readonly Vgg vgg;
    private readonly bool ownsVgg;
    private readonly Tensor mean, std;

    /// <param name="vgg">Frozen feature extractor.</param>
    /// <param name="layers">Indices into <c>features</c>, ascending.</param>
    /// <param name="weights">One weight per layer (fastai: 5e3 · w² with the feature weights 5, 15, 2).</param>
    /// <param name="distance">L1 (fastai) or MSE between gram matrices.</param>
    /// <param name="ownsVgg">Dispose the extractor with this loss.</param>
    /// <param name="warnings">Where the "random features" warning goes (default standard error).</param>
    public GramLoss(Vgg vgg, IReadOnlyList<int> layers, IReadOnlyList<double>? weights = null, Distance distance = Distance.L1, bool ownsVgg = false, TextWriter? warnings = null)
    {
        this.vgg = vgg;
        this.ownsVgg = ownsVgg;
        Layers = layers.ToArray();
        Weights = VggLayerChoice.Weights(vgg, layers, weights, "gram");
        Distance = distance;
        (mean, std) = VggLayerChoice.ImageNetStatistics();
        if (!vgg.IsPretrained)
            (warnings ?? Console.Error).WriteLine($"warning: the gram loss runs on RANDOM {vgg.GetType().Name} weights (no weights file): its statistics are of random features. " +
                "Convert torchvision's weights once (see the Vgg class doc) and load them with FromSafeTensors.");
    }

    public bool IsPretrained => vgg.IsPretrained;
    public IReadOnlyList<int> Layers { get; }
    public IReadOnlyList<double> Weights { get; }
    public Distance Distance { get; }

    /// <summary>(N, C, H, W) → (N, C, C): φφᵀ / (C·H·W).</summary>
    public static Tensor GramMatrix(Tensor features)
    {
        if (features.dim() != 4) throw new ArgumentException($"expected (N, C, H, W) features, got [{string.Join(", ", features.shape)}]");
        using var scope = torch.NewDisposeScope();
        var (n, c, hw) = (features.size(0), features.size(1), features.size(2) * features.size(3));
        var flat = features.reshape(n, c, hw);
        return flat.bmm(flat.transpose(1, 2)).div(c * hw).MoveToOuterDisposeScope();
    }

    public Tensor Compute(Tensor output, Tensor target)
    {
        if (!output.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"output [{string.Join(", ", output.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape");
        if (output.dim() != 4 || output.size(1) != 3) throw new ArgumentException($"expected RGB images (N, 3, H, W) in [0, 1], got [{string.Join(", ", output.shape)}]");
        using var scope = torch.NewDisposeScope();
        var o = vgg.Extract((output - mean.to(output.device)) / std.to(output.device), Layers);
        IReadOnlyList<Tensor> t;
        using (torch.no_grad()) t = vgg.Extract((target - mean.to(target.device)) / std.to(target.device), Layers);
        Tensor? sum = null;
        for (var i = 0; i < Layers.Count; i++)
        {
            var (go, gt) = (GramMatrix(o[i]), GramMatrix(t[i]));
            var d = Distance == Distance.L1 ? F.l1_loss(go, gt) : F.mse_loss(go, gt);
            var term = Weights[i] == 1 ? d : d * Weights[i];
            sum = sum is null ? term : sum + term;
        }
        return sum!.MoveToOuterDisposeScope();
    }

    public LossTerm AsTerm(string name = "gram", double weight = 1) => new(name, weight, Compute);

    public override string ToString() =>
        $"{vgg.GetType().Name} gram loss ({Distance}, layers {string.Join(", ", Layers)}){(IsPretrained ? "" : " [RANDOM weights]")}";

    public void Dispose()
    {
        mean.Dispose();
        std.Dispose();
        if (ownsVgg) vgg.Dispose();
    }
}
