using Xunit.Abstractions;

namespace Workbench.Torch.Tests.Optim;

public class AdamWTests(ITestOutputHelper output)
{
    public static TheoryData<string> Configs => OptimReference.Names("AdamW");

    [Theory]
    [MemberData(nameof(Configs))]
    public void MatchesPyTorchStepByStep(string config)
    {
        var worst = OptimReference.RunAndCompare(config);
        output.WriteLine($"{config}: max |ours - PyTorch| over params and state = {worst:E2}");
        Assert.InRange(worst, 0, OptimReference.Tolerance);
    }

    [Fact]
    public void DecaysWeightsEvenWithZeroGradient()
    {
        // Decoupled decay: param *= 1 - lr * weight_decay, independent of the (here zero) gradient.
        using var scope = torch.NewDisposeScope();
        var p = torch.ones(new long[] { 2 }, requires_grad: true);
        using var opt = new optim.AdamW(new[] { p }, lr: 0.1, weight_decay: 0.5);
        p.grad = torch.zeros(2);
        opt.step();
        Assert.Equal(new float[] { 0.95f, 0.95f }, p.data<float>());
        using var defaults = new optim.AdamW(new[] { p });
        Assert.Equal(1e-2, defaults.param_groups[0].weight_decay);
    }
}
