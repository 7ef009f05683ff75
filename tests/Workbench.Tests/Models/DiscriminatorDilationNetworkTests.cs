using Workbench.Models;
using Workbench.Models.Discriminators;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class DiscriminatorDilationNetworkTests
{
    [Theory]
    [InlineData("disc_dilation_train")]
    [InlineData("disc_dilation_eval")]
    public void MatchesPyTorchWithTheNotesKeys(string name)
    {
        using var model = new DiscriminatorDilationNetwork(mid_channels: 4);
        SrReference.AssertModuleMatches(name, model);
    }

    [Theory]
    [InlineData(Downsampling.MaxPool, 64, 48)]
    [InlineData(Downsampling.ExtraConv, 64, 48)]
    [InlineData(Downsampling.MaxPool, 37, 30)]
    public void GivesOneLogitPerEightByEightPatch(Downsampling downsampling, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new DiscriminatorDilationNetwork(4, downsampling: downsampling);
        Assert.Equal([2, 1, height / 8, width / 8], model.call(torch.rand(2, 3, height, width)).shape);
    }

    [Fact]
    public void DropoutSitsInThePredictionBlocksWithoutShiftingKeys()
    {
        using var scope = torch.NewDisposeScope();
        using var plain = new DiscriminatorDilationNetwork(4);
        using var dropped = new DiscriminatorDilationNetwork(4, dropout: 0.3);
        Assert.Equal(plain.state_dict().Keys, dropped.state_dict().Keys);
        dropped.eval(); // the identity in eval mode
        dropped.load_state_dict(plain.state_dict());
        plain.eval();
        var x = torch.rand(1, 3, 32, 32);
        Assert.True(plain.call(x).allclose(dropped.call(x)));
    }

    [Fact]
    public void StridedVariantReplacesEachPoolByAConvBlock()
    {
        using var pooled = new DiscriminatorDilationNetwork(4);
        using var strided = new DiscriminatorDilationNetwork(4, downsampling: Downsampling.ExtraConv);
        Assert.DoesNotContain(pooled.state_dict().Keys, k => k.StartsWith("layers.2.", StringComparison.Ordinal));
        Assert.Contains("layers.2.0.weight", strided.state_dict().Keys);
        Assert.True(strided.count_parameters() > pooled.count_parameters());
    }

    [Fact]
    public void RejectsWrongInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new DiscriminatorDilationNetwork(4);
        Assert.Contains("at least 8x8", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 3, 7, 16))).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 1, 16, 16))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiscriminatorDilationNetwork(4, dropout: 1.0));
    }
}
