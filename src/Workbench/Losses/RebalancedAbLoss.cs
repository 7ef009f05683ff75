using Workbench.Data;
using Workbench.Models.Colorization;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>
/// Zhang et al. 2016's classification loss: the target photo's ab, averaged down to the logits' resolution (area),
/// encoded to its nearest bin, and a cross-entropy over the bins weighted per class by the rebalancing weights
/// (<see cref="AbBins.RebalanceWeights"/>), so that the rare saturated colours are not drowned by the common
/// grays and browns. Hard encoding (the paper soft-encodes to 5 neighbours; with 10-unit bins the difference is
/// within a bin).
/// </summary>
public sealed class RebalancedAbLoss(AbBins bins, Tensor? classWeights)
{
    /// <summary>The per-class weights (Q), or null for a plain cross-entropy.</summary>
    public Tensor? ClassWeights => classWeights;

    /// <summary>logits (N, Q, h, w), target RGB (N, 3, H, W) in [0, 1] with H = k·h → mean weighted cross-entropy.</summary>
    public Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        var ab = ColorSpace.RgbToLab(target).narrow(1, 1, 2);                         // (N, 2, H, W)
        if (ab.size(2) != logits.size(2) || ab.size(3) != logits.size(3))
            ab = F.adaptive_avg_pool2d(ab, new nn.Size2(logits.size(2), logits.size(3)));  // (N, 2, h, w)
        var classes = bins.Encode(ab);                                                 // (N, h, w)
        var weight = classWeights?.to(logits.device);
        return F.cross_entropy(logits.to(ScalarType.Float32), classes.to(logits.device), weight).MoveToOuterDisposeScope();
    }

    public LossTerm AsTerm(double weight = 1) => new("ab_class", weight, Compute);
}
