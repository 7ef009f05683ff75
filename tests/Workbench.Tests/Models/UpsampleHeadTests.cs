using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class UpsampleHeadTests
{
    [Theory]
    [InlineData(UpsampleSteps.OneStep, 0)]
    [InlineData(UpsampleSteps.OneStep, 2)]
    [InlineData(UpsampleSteps.X2Steps, 0)]
    [InlineData(UpsampleSteps.X2Steps, 1)]
    [InlineData(UpsampleSteps.X2Steps, 3)]
    public void UpscalesAndCountsItsParameters(UpsampleSteps steps, int convsAfter)
    {
        using var scope = torch.NewDisposeScope();
        using var head = new UpsampleHead(16, 4, steps, channels: 12, convs_after: convsAfter);
        Assert.Equal([2, 3, 20, 24], head.call(torch.rand(2, 16, 5, 6)).shape);
        Assert.Equal(UpsampleHead.ParameterCount(16, 4, steps, 12, convsAfter), head.count_parameters());
    }

    [Fact]
    public void X4AndX2x2CanBeComparedAtEqualSize()
    {
        // The notes' experiment on ESPCN (64 channels): a one-step x4 head vs two x2 steps, both with two convs after.
        var x2x2 = UpsampleHead.ParameterCount(64, 4, UpsampleSteps.X2Steps, 64, convs_after: 2);
        var channels = UpsampleHead.ChannelsMatching(x2x2, 64, 4, UpsampleSteps.OneStep, convs_after: 2);
        var x4 = UpsampleHead.ParameterCount(64, 4, UpsampleSteps.OneStep, channels, convs_after: 2);
        Assert.InRange(Math.Abs(x4 - x2x2) / (double)x2x2, 0, 0.10);
        using var a = new Espcn(4, 64, head: new UpsampleHead(64, 4, UpsampleSteps.X2Steps, 64, 2));
        using var b = new Espcn(4, 64, head: new UpsampleHead(64, 4, UpsampleSteps.OneStep, channels, 2));
        Assert.InRange(Math.Abs(a.count_parameters() - b.count_parameters()) / (double)a.count_parameters(), 0, 0.10);
    }

    [Fact]
    public void RejectsImpossibleLayouts()
    {
        Assert.Throws<ArgumentException>(() => new UpsampleHead(16, 3, UpsampleSteps.X2Steps));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpsampleHead(16, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpsampleHead(16, 2, convs_after: -1));
    }
}
