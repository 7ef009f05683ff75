using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

public sealed class SsimTests
{
    private const double Tolerance = 1e-4;

    [Fact]
    public void MatchesSkimageOnRgbWithAndWithoutCrop()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var full = Ssim.Compute(prediction, target).to(ScalarType.Float64).data<double>();
        var cropped = Ssim.Compute(prediction, target, crop: MetricsReference.Crop).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++)
        {
            Assert.Equal(MetricsReference.Expected(i, "ssim"), full[i], Tolerance);
            Assert.Equal(MetricsReference.Expected(i, "ssim_crop"), cropped[i], Tolerance);
        }
    }

    [Fact]
    public void MatchesSkimageOnYChannel()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var y = Ssim.OnY(prediction, target, crop: MetricsReference.Crop).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++) Assert.Equal(MetricsReference.Expected(i, "ssim_y_crop"), y[i], Tolerance);
    }

    [Fact]
    public void IdenticalImagesScoreOneAndTheScoreIsDifferentiable()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        Assert.Equal(1.0, Ssim.Compute(target[0], target[0]).item<double>(), 6);
        var x = prediction[1].detach().clone();
        x.requires_grad = true;
        (1 - Ssim.Compute(x, target[1])).backward();
        var grad = x.grad!;
        Assert.True(grad.isfinite().all().item<bool>());
        Assert.True(grad.abs().sum().item<double>() > 0);
    }

    [Fact]
    public void GaussianWindowIsNormalisedAndSymmetric()
    {
        var w = Ssim.GaussianWindow(11, 1.5);
        Assert.Equal(1.0, w.Sum(), 12);
        for (var k = 0; k < 5; k++) Assert.Equal(w[k], w[10 - k]);
        Assert.Equal(Math.Exp(-1 / (2 * 1.5 * 1.5)), w[6] / w[5], 12);
        Assert.Throws<ArgumentException>(() => Ssim.GaussianWindow(10, 1.5));
    }

    [Fact]
    public void RejectsImagesSmallerThanTheWindow()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Ssim.Compute(torch.zeros(3, 10, 30), torch.zeros(3, 10, 30)));
        Assert.Throws<ArgumentException>(() => Ssim.Compute(torch.zeros(3, 20, 20), torch.zeros(3, 20, 20), crop: 5));
    }
}
