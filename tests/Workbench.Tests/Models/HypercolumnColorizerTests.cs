using Workbench.Data;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Torch;

namespace Workbench.Tests.Models;

public sealed class HypercolumnColorizerTests
{
    [Theory]
    [InlineData("residual", "yuv")]
    [InlineData("hypercolumn", "yuv")]
    [InlineData("residual", "lab")]
    public void PredictsChromaAndKeepsTheInputsLuminanceAtAnySize(string head, string space)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(9);
        using var net = new HypercolumnSpec(head, space, new[] { 16, 8 }).Build().eval();
        var gray = (torch.rand(2, 1, 36, 52) * 0.6 + 0.2).expand(-1, 3, -1, -1);
        Tensor rgb;
        using (torch.no_grad()) rgb = net.call(gray);
        Assert.Equal(new long[] { 2, 3, 36, 52 }, rgb.shape);
        if (space == "yuv")
            Assert.InRange((ColorSpace.Luma(rgb) - ColorSpace.Luma(gray)).abs().max().item<float>(), 0, 1e-5);
        else
        {
            var dl = (ColorSpace.RgbToLab(rgb) - ColorSpace.RgbToLab(gray)).narrow(1, 0, 1).abs();
            Assert.True(dl.lt(0.05).to(ScalarType.Float32).mean().item<float>() > 0.5, "L* is kept where the colour is in gamut");
        }
        Assert.True((rgb - gray).abs().max().item<float>() > 1e-3); // it does colour
    }

    [Fact]
    public void FrozenVggGetsNoGradientsAndStaysInEvalMode()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new HypercolumnSpec().Build().train();
        var y = net.call(torch.rand(1, 3, 32, 32));
        y.mean().backward();
        var grads = net.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is not null);
        Assert.All(grads.Where(g => g.Key.StartsWith("vgg.", StringComparison.Ordinal)), g => Assert.False(g.Value));
        Assert.Contains(grads, g => g.Key.StartsWith("head.", StringComparison.Ordinal) && g.Value);
        Assert.False(net.get_submodule("vgg").training);
        Assert.Throws<ArgumentException>(() => new HypercolumnSpec(Head: "pyramid").Build());
        Assert.Throws<ArgumentException>(() => new HypercolumnColorizer(new Vgg16(last_layer: 10)));
    }
}
