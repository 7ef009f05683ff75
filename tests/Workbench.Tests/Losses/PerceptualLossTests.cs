using Workbench.Losses;
using Workbench.Models;
using Workbench.Tests.Models;
using Workbench.Torch;

namespace Workbench.Tests.Losses;

public class PerceptualLossTests
{
    [Theory]
    [InlineData("perceptual_notes_mse")]
    [InlineData("perceptual_l1_weighted_half")]
    public void MatchesPyTorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        var spec = SrReference.Loss(name);
        using var loss = new PerceptualLoss(Vgg16.FromSafeTensors(VggTests.ReferenceWeightsFile(), last_layer: 22), spec.layers, spec.weights,
            spec.distance == "l1" ? Distance.L1 : Distance.Mse, spec.half ?? 0, ownsVgg: true);
        Assert.True(loss.IsPretrained);
        var output = SrReference.Get($"{name}/output").clone().requires_grad_();
        var value = loss.Compute(output, SrReference.Get($"{name}/target"));
        SrReference.AssertClose($"{name}: value", SrReference.Get($"{name}/loss"), value.reshape(1));
        value.backward();
        SrReference.AssertClose($"{name}: gradient w.r.t. the output", SrReference.Get($"{name}/grad/output"), output.grad!);
    }

    [Fact]
    public void WithoutWeightsItWarnsAndSaysItIsNotPretrained()
    {
        using var scope = torch.NewDisposeScope();
        var warnings = new StringWriter();
        using var loss = PerceptualLoss.Vgg16Notes(null, warnings: warnings);
        Assert.False(loss.IsPretrained);
        Assert.Contains("RANDOM Vgg16 weights", warnings.ToString());
        Assert.Contains("RANDOM", loss.ToString());
        var target = torch.rand(1, 3, 16, 16);
        Assert.Equal(0, loss.Compute(target, target).item<float>());
        Assert.True(loss.Compute(torch.rand(1, 3, 16, 16), target).item<float>() > 0);
    }

    [Fact]
    public void HalvesInLinearLight()
    {
        using var scope = torch.NewDisposeScope();
        // A 2x2 block of 0 and 1 averages to 0.5 in linear light: 0.5^(1/2.2) ≈ 0.73 in sRGB-like values, not 0.5.
        var block = torch.tensor(new[] { 0f, 1f, 1f, 0f }, [1, 1, 2, 2]).expand(1, 3, 2, 2);
        Assert.Equal(Math.Pow(0.5, 1 / 2.2), PerceptualLoss.HalveLinearLight(block)[0, 0, 0, 0].item<float>(), 4);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        using var scope = torch.NewDisposeScope();
        using var vgg = Vgg16.Random(0, last_layer: 4);
        var quiet = TextWriter.Null;
        Assert.Throws<ArgumentException>(() => new PerceptualLoss(vgg, [0, 2], [1.0], warnings: quiet));
        Assert.Throws<ArgumentException>(() => new PerceptualLoss(vgg, [7], warnings: quiet));
        using var loss = new PerceptualLoss(vgg, [0, 2], warnings: quiet);
        Assert.Throws<ArgumentException>(() => loss.Compute(torch.rand(1, 3, 8, 8), torch.rand(1, 3, 8, 9)));
        Assert.Throws<ArgumentException>(() => loss.Compute(torch.rand(1, 1, 8, 8), torch.rand(1, 1, 8, 8)));
    }
}
