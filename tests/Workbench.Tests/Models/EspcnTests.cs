using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class EspcnTests
{
    [Fact]
    public void MatchesPyTorchWithTheNotesKeys()
    {
        using var model = new Espcn(scale: 3, channels: 16);
        SrReference.AssertModuleMatches("espcn", model);
    }

    [Theory]
    [InlineData(2, 64)]
    [InlineData(3, 16)]
    [InlineData(4, 128)]
    public void UpscalesByItsFactor(int scale, int channels)
    {
        using var scope = torch.NewDisposeScope();
        using var model = new Espcn(scale, channels);
        Assert.Equal([2, 3, 5 * scale, 7 * scale], model.call(torch.rand(2, 3, 5, 7)).shape);
    }

    [Fact]
    public void RejectsWrongInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new Espcn();
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 4, 8, 8))).Message);
        Assert.Contains("(N, 3, H, W)", Assert.Throws<ArgumentException>(() => model.call(torch.rand(3, 8, 8))).Message);
        Assert.Throws<ArgumentException>(() => new Espcn(scale: 4, head: new UpsampleHead(64, 2)));
    }
}
