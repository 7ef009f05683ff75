using Workbench.Models;
using Workbench.Experiments;
using Workbench.Torch;

namespace Workbench.Tests.Experiments;

public sealed class DigitsNetTests
{
    [Theory]
    [InlineData(Downsampling.MaxPool)]
    [InlineData(Downsampling.Strided)]
    [InlineData(Downsampling.ExtraConv)]
    public void MapsDigitsToTenLogits(Downsampling downsampling)
    {
        using var scope = torch.NewDisposeScope();
        using var net = new DigitsNet(downsampling, channels: 8);
        Assert.Equal(new long[] { 3, 10 }, net.call(torch.rand([3, 1, 20, 20])).shape);
    }

    [Fact]
    public void StridedHasMaxPoolsParametersAndExtraConvMore()
    {
        using var pool = new DigitsNet(Downsampling.MaxPool);
        using var strided = new DigitsNet(Downsampling.Strided);
        using var extra = new DigitsNet(Downsampling.ExtraConv);
        Assert.Equal(pool.count_parameters(), strided.count_parameters());
        // Two more 3x3 convs: 16→16 and 32→32.
        Assert.Equal(pool.count_parameters() + (16 * 16 * 9 + 16) + (32 * 32 * 9 + 32), extra.count_parameters());
    }

    [Fact]
    public void ASizeNotDivisibleByFourIsRefused() => Assert.Throws<ArgumentException>(() => new DigitsNet(size: 18));
}
