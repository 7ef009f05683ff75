using Workbench.Losses;
using Workbench.Models;
using Workbench.Tests.Models;
using Workbench.Torch;

namespace Workbench.Tests.Losses;

public class GramLossTests
{
    [Fact]
    public void MatchesPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var spec = SrReference.Loss("gram_fastai");
        using var loss = new GramLoss(Vgg16.FromSafeTensors(VggTests.ReferenceWeightsFile(), last_layer: 22), spec.layers, spec.weights, ownsVgg: true);
        var output = SrReference.Get("gram_fastai/output").clone().requires_grad_();
        var value = loss.Compute(output, SrReference.Get("gram_fastai/target"));
        SrReference.AssertClose("gram loss", SrReference.Get("gram_fastai/loss"), value.reshape(1));
        value.backward();
        SrReference.AssertClose("gram loss gradient", SrReference.Get("gram_fastai/grad/output"), output.grad!);
    }

    [Fact]
    public void GramMatrixIsChannelCorrelation()
    {
        using var scope = torch.NewDisposeScope();
        var f = torch.tensor(new[] { 1f, 2f, 3f, 4f, 0f, 1f, 0f, 1f }, [1, 2, 2, 2]);
        var g = GramLoss.GramMatrix(f);
        Assert.Equal([1, 2, 2], g.shape);
        // (1+4+9+16)/8, (2+4)/8, (0+1+0+1)/8
        Assert.Equal(new[] { 30f / 8, 6f / 8, 6f / 8, 2f / 8 }, g.reshape(4).data<float>());
        Assert.Throws<ArgumentException>(() => GramLoss.GramMatrix(torch.rand(2, 3, 4)));
    }

    [Fact]
    public void WithoutWeightsItWarns()
    {
        using var scope = torch.NewDisposeScope();
        var warnings = new StringWriter();
        using var loss = new GramLoss(Vgg16.Random(0, last_layer: 7), [2, 7], ownsVgg: true, warnings: warnings);
        Assert.False(loss.IsPretrained);
        Assert.Contains("RANDOM", warnings.ToString());
    }
}
