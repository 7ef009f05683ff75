using Workbench.Models.Colorization;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public sealed class ColorCriticTests
{
    [Fact]
    public void SpectralNormCriticWithSelfAttentionMatchesPyTorch()
    {
        using var critic = new ColorCritic(nf: 16, n_blocks: 3);
        ColorizeReference.CheckModule(critic, "critic", x => critic.call(x[0]), train: false);
    }

    [Fact]
    public void GivesOnePatchLogitPerSixteenPixelsPastSixtyFour()
    {
        using var scope = torch.NewDisposeScope();
        using var critic = new ColorCritic(nf: 8, n_blocks: 3);
        Assert.Equal(new long[] { 3, 1 }, critic.call(torch.rand(3, 3, 64, 64)).shape);
        Assert.Equal(new long[] { 1, 9 }, critic.call(torch.rand(1, 3, 96, 96)).shape);
        Assert.Contains("4.2.gamma", critic.state_dict().Keys);   // self-attention in the first block
        Assert.Contains(critic.modules(), m => m is nn.Dropout2d);
    }
}
