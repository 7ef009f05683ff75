using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// The share of pixels whose colour is right within a threshold: the Euclidean a*b* error (CIE Lab, as
/// <see cref="LabDistance.Chroma"/>) below <c>threshold</c>, per image, in [0, 1]. Zhang, Isola &amp; Efros (2016,
/// "Colorful Image Colorization") report the area under this curve for thresholds 0..150; one point of it at 10 is
/// a readable "how much of the picture got plausible colour": a gray output scores only the pixels that were
/// nearly gray, a confidently wrong colour scores less than gray, a mean error can hide either.
/// </summary>
public static class AbAccuracy
{
    /// <summary>The threshold used in Workbench's evaluation tables (a* b* units; ~2 just-noticeable differences).</summary>
    public const double DefaultThreshold = 10;

    /// <summary>(N) or scalar: the fraction of pixels with |Δab| &lt; <paramref name="threshold"/>.</summary>
    public static Tensor Compute(Tensor prediction, Tensor target, double threshold = DefaultThreshold)
    {
        MetricInput.CheckPair(prediction, target);
        MetricInput.CheckImage(prediction, nameof(prediction), rgb: true);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(threshold);
        using var scope = torch.NewDisposeScope();
        var diff = (ColorSpace.RgbToLab(prediction) - ColorSpace.RgbToLab(target)).narrow(-3, 1, 2);
        var hit = diff.square().sum(-3).lt(threshold * threshold).to(ScalarType.Float32);
        return hit.mean(new long[] { -2, -1 }).MoveToOuterDisposeScope();
    }
}
