using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// Color errors of RGB images in [0, 1] measured in CIE L*a*b* (D65, as skimage.color.rgb2lab), mean
/// over pixels, per image. Chroma compares colour only (a*b* plane), so a colorizer that gets the
/// lightness from its input is judged on what it predicts; ΔE76 is the plain Euclidean Lab distance.
/// </summary>
public static class LabDistance
{
    /// <summary>Mean Euclidean distance between the (a*, b*) pairs of the two images.</summary>
    public static Tensor Chroma(Tensor prediction, Tensor target) => Mean(prediction, target, channels: 1);

    /// <summary>Mean CIE76 ΔE: Euclidean distance over (L*, a*, b*) (skimage.color.deltaE_cie76).</summary>
    public static Tensor DeltaE76(Tensor prediction, Tensor target) => Mean(prediction, target, channels: 0);

    private static Tensor Mean(Tensor prediction, Tensor target, int channels)
    {
        MetricInput.CheckPair(prediction, target);
        MetricInput.CheckImage(prediction, nameof(prediction), rgb: true);
        using var scope = torch.NewDisposeScope();
        var diff = ColorSpace.RgbToLab(prediction) - ColorSpace.RgbToLab(target);
        var distance = diff.narrow(-3, channels, 3 - channels).square().sum(-3).sqrt();
        return distance.mean(new long[] { -2, -1 }).MoveToOuterDisposeScope();
    }
}
