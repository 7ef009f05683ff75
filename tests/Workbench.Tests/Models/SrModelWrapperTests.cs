using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Torch;
using Workbench.Evaluation;
using Workbench.Tests.Recipes;

namespace Workbench.Tests.Models;

public sealed class SrModelWrapperTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-sr-wrap-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AResidualNetworkStartsAtBicubicAndScoresAsBicubic()
    {
        using var scope = torch.NewDisposeScope();
        using var model = new BicubicResidual(new Espcn(2, 8));
        var x = torch.rand([1, 3, 12, 10]);
        Tensor y;
        using (torch.no_grad()) y = model.call(x);
        Assert.True(y.equal(ImageResize.Resize(x, 24, 20, InterpolationMode.Bicubic, antialias: true)));
        Assert.Equal("bicubic", model.Hyperparameters["residual"]);

        var (_, test) = SrTestData.Create(root, trainImages: 1);
        using var validation = SrValidationSet.Load(test, 2, crop: 32);
        var scores = validation.Evaluate(model);
        // Bicubic through the upscaler (mirrored borders) vs bicubic of the plain image: they differ only at the border.
        Assert.InRange(scores.PsnrGain, -0.05, 0.05);
        Assert.True(model.training); // the mode is restored after validation
    }

    [Fact]
    public void AppliedTwiceIsTheNetworkOnItsOwnOutput()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(0);
        using var twice = new AppliedTwice(new Espcn(2, 8));
        Assert.Equal(4, twice.Scale);
        var x = torch.rand([2, 3, 6, 7]);
        using var noGrad = torch.no_grad();
        var y = twice.call(x);
        Assert.Equal(new long[] { 2, 3, 24, 28 }, y.shape);
        Assert.True(y.equal(twice.Net.call(twice.Net.call(x))));
    }
}
