using Workbench.Data;
using Workbench.Models.Colorization;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>Zhang et al.'s rebalanced loss, with the ab class prior measured on the training crops themselves.</summary>
public static class ZhangPrior
{
    /// <summary>
    /// ab at the logits' quarter resolution over up to 2,000 of <paramref name="files"/> in file order (deterministic),
    /// mixed with <paramref name="lambda"/> of a uniform prior (the paper's λ = 0.5) into class weights.
    /// </summary>
    public static RebalancedAbLoss Loss(ZhangColorizer zhang, IReadOnlyList<string> files, double lambda, TextWriter log)
    {
        using var scope = torch.NewDisposeScope();
        var counts = torch.zeros(zhang.Bins.Count);
        var sample = files.Count <= 2000 ? files : Enumerable.Range(0, 2000).Select(i => files[(int)((long)i * files.Count / 2000)]).ToList();
        foreach (var file in sample)
        {
            using var inner = torch.NewDisposeScope();
            var image = ImageIO.Read(file).unsqueeze(0);
            var ab = ColorSpace.RgbToLab(image).narrow(1, 1, 2);
            ab = F.adaptive_avg_pool2d(ab, new nn.Size2(Math.Max(1, ab.size(2) / ZhangColorNet.OutputStride), Math.Max(1, ab.size(3) / ZhangColorNet.OutputStride)));
            counts.add_(zhang.Bins.Histogram(ab) * (ab.size(2) * ab.size(3)));
        }
        var prior = counts / counts.sum();
        var weights = zhang.Bins.RebalanceWeights(prior, lambda);
        log.WriteLine($"zhang: {zhang.Bins.Count} ab bins, prior from {sample.Count} crops; class weights {weights.min().item<float>():F2}..{weights.max().item<float>():F2} (λ = {lambda})");
        return new RebalancedAbLoss(zhang.Bins, weights.MoveToOuterDisposeScope());
    }
}
