using Workbench.Models.Discriminators;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public class UNetDiscriminatorSNTests
{
    [Theory]
    [InlineData("unet_disc_train")]
    [InlineData("unet_disc_eval")]
    public void MatchesPyTorchWithRealEsrganKeys(string name)
    {
        using var model = new UNetDiscriminatorSN(3, num_feat: 8);
        SrReference.AssertModuleMatches(name, model);
    }

    [Fact]
    public void GivesAFullResolutionMap()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new UNetDiscriminatorSN(num_feat: 4);
        Assert.Equal([2, 1, 32, 24], model.call(torch.rand(2, 3, 32, 24)).shape);
        using var noSkip = new UNetDiscriminatorSN(num_feat: 4, skip_connection: false);
        Assert.Equal([1, 1, 16, 16], noSkip.call(torch.rand(1, 3, 16, 16)).shape);
    }

    [Fact]
    public void RejectsWrongInputs()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new UNetDiscriminatorSN(num_feat: 4);
        Assert.Contains("divisible by 8", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 3, 20, 16))).Message);
        Assert.Contains("3 channels", Assert.Throws<ArgumentException>(() => model.call(torch.rand(1, 1, 16, 16))).Message);
    }
}
