using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>Per-pixel losses as <see cref="CompositeLoss"/> terms (the SR notes' pixel MSE; ESRGAN's and fastai's L1).</summary>
public static class PixelLoss
{
    /// <summary>Mean absolute error: sharper than MSE, less dominated by a few large errors.</summary>
    public static LossTerm L1(double weight = 1, string name = "pixel_l1") => new(name, weight, (output, target) => F.l1_loss(output, target));

    /// <summary>Mean squared error: the PSNR objective (ESPCN's original loss).</summary>
    public static LossTerm Mse(double weight = 1, string name = "pixel_mse") => new(name, weight, (output, target) => F.mse_loss(output, target));

    /// <summary>The term for a <see cref="Distance"/>.</summary>
    public static LossTerm Of(Distance distance, double weight = 1) => distance == Distance.L1 ? L1(weight) : Mse(weight);
}
