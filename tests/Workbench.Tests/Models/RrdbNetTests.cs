using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class RrdbNetTests
{
    [Fact]
    public void RrdbBlockMatchesPyTorch()
    {
        using var block = new Rrdb(16, 8);
        SrReference.AssertModuleMatches("rrdb_block", block);
    }

    [Theory]
    [InlineData("rrdb_net_x4", 4, 16, 2, 8)]
    [InlineData("rrdb_net_x2", 2, 8, 1, 4)]
    public void SmallNetMatchesPyTorchWithBasicSRKeys(string name, int scale, int feat, int blocks, int grow)
    {
        using var model = new RrdbNet(scale: scale, num_feat: feat, num_block: blocks, num_grow_ch: grow);
        SrReference.AssertModuleMatches(name, model);
    }

    [Fact]
    public void KeysAreBasicSRs()
    {
        using var model = new RrdbNet(num_block: 1);
        var keys = model.state_dict().Keys.ToList();
        Assert.Equal("conv_first.weight", keys[0]);
        Assert.Contains("body.0.rdb1.conv1.weight", keys);
        Assert.Contains("body.0.rdb3.conv5.bias", keys);
        Assert.Equal(["conv_body.weight", "conv_body.bias", "conv_up1.weight", "conv_up1.bias", "conv_up2.weight", "conv_up2.bias", "conv_hr.weight", "conv_hr.bias", "conv_last.weight", "conv_last.bias"], keys[^10..]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void UpscalesByItsFactor(int scale)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new RrdbNet(scale: scale, num_feat: 8, num_block: 1, num_grow_ch: 4);
        Assert.Equal([1, 3, 8 * scale, 12 * scale], model.call(torch.rand(1, 3, 8, 12)).shape);
    }

    [Fact]
    public void TakesASubPixelHead()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new RrdbNet(scale: 4, num_feat: 8, num_block: 1, num_grow_ch: 4, head: new UpsampleHead(8, 4, UpsampleSteps.X2Steps, channels: 8, convs_after: 2));
        Assert.Equal([1, 3, 20, 28], model.call(torch.rand(1, 3, 5, 7)).shape);
        Assert.Contains("head.0.weight", model.state_dict().Keys);
        Assert.DoesNotContain("conv_up1.weight", model.state_dict().Keys);
    }

    [Fact]
    public void RejectsWrongInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new RrdbNet(scale: 2, num_feat: 8, num_block: 1, num_grow_ch: 4);
        Assert.Contains("divisible by 2", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 3, 7, 8))).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 1, 8, 8))).Message);
        Assert.Throws<ArgumentException>(() => new RrdbNet(scale: 3));
    }
}
