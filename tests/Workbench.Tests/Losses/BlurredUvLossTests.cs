using Workbench.Losses;
using Workbench.Tests.Models;
using Workbench.Torch;

namespace Workbench.Tests.Losses;

public sealed class BlurredUvLossTests
{
    [Fact]
    public void MatchesTheLecturesLossInPyTorchWithItsGradient()
    {
        using var scope = torch.NewDisposeScope();
        var pred = ColorizeReference.Get("uvloss/pred").clone();
        pred.requires_grad = true;
        var loss = BlurredUvLoss.Compute(pred, ColorizeReference.Get("uvloss/target"));
        loss.backward();
        Assert.InRange(ColorizeReference.Error(loss.reshape(1), ColorizeReference.Get("uvloss/loss")), 0, 1e-6);
        Assert.InRange(ColorizeReference.Error(pred.grad!, ColorizeReference.Get("uvloss/grad")), 0, 1e-6);
    }

    [Fact]
    public void IgnoresLuminanceOnRgbImages()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.rand(1, 1, 8, 8).expand(1, 3, 8, 8);
        var brighter = (gray + 0.2).clamp(0, 1);
        Assert.InRange(BlurredUvLoss.OnRgb(gray, brighter).item<float>(), 0, 1e-10);
        var colour = torch.rand(1, 3, 8, 8);
        Assert.True(BlurredUvLoss.OnRgb(colour, gray).item<float>() > 1e-4);
    }
}
