using Workbench.Data;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>
/// The hypercolumn lecture's colour loss: the mean of three squared distances between predicted and true
/// chroma — as they are, and after Gaussian blurs of 3 and 5 pixels. "The models converge faster with the
/// blurred distances": a blurred distance rewards the right colour in roughly the right place, not only
/// the exact pixel. Distances are measured in UV only (the luminance is the input's own, so it carries no error).
/// Blurs are torchvision's gaussian_blur (σ = 0.15·k + 0.35, reflect padding); a distance is a mean squared
/// error, so the loss does not grow with the image size.
/// </summary>
public static class BlurredUvLoss
{
    /// <summary>The loss between (N, 2, H, W) chroma maps (UV of YUV, or ab of Lab scaled alike).</summary>
    public static Tensor Compute(Tensor predicted, Tensor target, params long[] kernels)
    {
        if (kernels.Length == 0) kernels = new long[] { 3, 5 };
        using var scope = torch.NewDisposeScope();
        var total = F.mse_loss(predicted, target);
        foreach (var k in kernels) total = total + F.mse_loss(F.gaussian_blur(predicted, k), F.gaussian_blur(target, k));
        return (total / (kernels.Length + 1)).MoveToOuterDisposeScope();
    }

    /// <summary>The loss on RGB images (N, 3, H, W) in [0, 1], through their UV channels.</summary>
    public static Tensor OnRgb(Tensor output, Tensor target)
    {
        using var scope = torch.NewDisposeScope();
        var uv = ColorSpace.RgbToYuv(output).narrow(1, 1, 2);
        var uvTarget = ColorSpace.RgbToYuv(target).narrow(1, 1, 2);
        return Compute(uv, uvTarget).MoveToOuterDisposeScope();
    }

    /// <summary>A <see cref="LossTerm"/> over RGB outputs, for a <see cref="CompositeLoss"/>.</summary>
    public static LossTerm Term(double weight = 1) => new("uv_blur", weight, OnRgb);
}
