using Workbench.Losses;
using Workbench.Torch;

namespace Workbench.Tests.Losses;

public class PixelLossTests
{
    [Fact]
    public void TermsComputeL1AndMse()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new[] { 0f, 1f, 3f }, [3]);
        var b = torch.tensor(new[] { 1f, 1f, 1f }, [3]);
        Assert.Equal(1f, PixelLoss.L1().Compute(a, b).item<float>());
        Assert.Equal(5f / 3, PixelLoss.Mse().Compute(a, b).item<float>(), 6);
        var (total, values) = new CompositeLoss(PixelLoss.L1(2), PixelLoss.Of(Distance.Mse, 0.5)).Compute(a, b);
        Assert.Equal(2 * 1 + 0.5 * 5 / 3.0, total.item<float>(), 5);
        Assert.Equal(["pixel_l1", "pixel_mse"], values.Keys);
    }
}
