using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>
/// How critic scores become losses. Scores are raw logits (any shape: a patch or per-pixel map);
/// the real scores given to <see cref="GeneratorLoss"/> carry no graph.
/// </summary>
public interface IGanLoss
{
    Tensor CriticLoss(Tensor realScores, Tensor fakeScores);

    Tensor GeneratorLoss(Tensor realScores, Tensor fakeScores);
}

/// <summary>The original GAN loss: σ(D(real)) → 1, σ(D(fake)) → 0; the generator wants σ(D(fake)) → 1.</summary>
public sealed class BceGanLoss : IGanLoss
{
    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores) =>
        (F.binary_cross_entropy_with_logits(realScores, torch.ones_like(realScores)) + F.binary_cross_entropy_with_logits(fakeScores, torch.zeros_like(fakeScores))) * 0.5;

    public Tensor GeneratorLoss(Tensor realScores, Tensor fakeScores) =>
        F.binary_cross_entropy_with_logits(fakeScores, torch.ones_like(fakeScores));

    public override string ToString() => "BCE GAN loss";
}

/// <summary>
/// Relativistic loss on score differences (ESRGAN): the critic wants σ(D(real) − D(fake)) → 1. With
/// <paramref name="average"/> each side is compared with the other side's mean (RaGAN, as in ESRGAN);
/// without it, pairwise per position, as in the SR notes.
/// </summary>
public sealed class RelativisticGanLoss(bool average = true) : IGanLoss
{
    private (Tensor realVsFake, Tensor fakeVsReal) Differences(Tensor real, Tensor fake) =>
        average ? (real - fake.mean(), fake - real.mean()) : (real - fake, fake - real);

    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        var (rf, fr) = Differences(realScores, fakeScores);
        return average
            ? (F.binary_cross_entropy_with_logits(rf, torch.ones_like(rf)) + F.binary_cross_entropy_with_logits(fr, torch.zeros_like(fr))) * 0.5
            : F.binary_cross_entropy_with_logits(fr, torch.zeros_like(fr));
    }

    public Tensor GeneratorLoss(Tensor realScores, Tensor fakeScores)
    {
        var (rf, fr) = Differences(realScores, fakeScores);
        return average
            ? (F.binary_cross_entropy_with_logits(rf, torch.zeros_like(rf)) + F.binary_cross_entropy_with_logits(fr, torch.ones_like(fr))) * 0.5
            : F.binary_cross_entropy_with_logits(fr, torch.ones_like(fr));
    }

    public override string ToString() => average ? "relativistic average GAN loss" : "relativistic GAN loss";
}

/// <summary>
/// The SR notes' generator variant of the pairwise relativistic loss: where the fake already scores above
/// the real image, the generator gets no further reward (the difference is pushed far into sigmoid
/// saturation, so its gradient vanishes). This keeps it from painting crisp patterns that are not in the
/// original. The critic's loss is the plain pairwise one.
/// </summary>
public sealed class NonRewardingRelativisticGanLoss : IGanLoss
{
    /// <summary>The notes' constant: σ(9000) is 1 in float32, so BCE(·, 1) and its gradient are 0 there.</summary>
    private const double Saturated = 9000;

    public Tensor CriticLoss(Tensor realScores, Tensor fakeScores)
    {
        var diff = fakeScores - realScores;
        return F.binary_cross_entropy_with_logits(diff, torch.zeros_like(diff));
    }

    public Tensor GeneratorLoss(Tensor realScores, Tensor fakeScores)
    {
        var fakeMoreReal = fakeScores.gt(realScores);
        var diff = torch.where(fakeMoreReal, torch.full_like(fakeScores, Saturated), fakeScores - realScores);
        return F.binary_cross_entropy_with_logits(diff, torch.ones_like(diff));
    }

    public override string ToString() => "relativistic GAN loss, no reward where fake > real (SR notes)";
}
