using Xunit.Abstractions;

namespace Workbench.Torch.Tests.Optim;

public class AdamTests(ITestOutputHelper output)
{
    public static TheoryData<string> Configs => OptimReference.Names("Adam");

    [Theory]
    [MemberData(nameof(Configs))]
    public void MatchesPyTorchStepByStep(string config)
    {
        var worst = OptimReference.RunAndCompare(config);
        output.WriteLine($"{config}: max |ours - PyTorch| over params and state = {worst:E2}");
        Assert.InRange(worst, 0, OptimReference.Tolerance);
    }

    [Fact]
    public void RejectsWhatPyTorchRejects()
    {
        using var p = torch.zeros(new long[] { 2 }, requires_grad: true);
        Assert.Throws<ArgumentException>(() => new optim.Adam(new[] { p }, lr: -1));
        Assert.Throws<ArgumentException>(() => new optim.Adam(new[] { p }, betas: (1.0, 0.999)));
        Assert.Throws<ArgumentException>(() => new optim.Adam(new[] { p }, eps: -1));
        Assert.Throws<ArgumentException>(() => new optim.Adam(new[] { p }, weight_decay: -0.1));
    }

    [Fact]
    public void FirstStepMovesEachWeightByLr()
    {
        // With bias correction, Adam's first update is lr * g / (|g| + eps'), about lr in size.
        using var scope = torch.NewDisposeScope();
        var p = torch.zeros(new long[] { 3 }, requires_grad: true);
        using var opt = new optim.Adam(new[] { p }, lr: 0.1);
        p.grad = torch.tensor(new float[] { 5, -0.01f, 300 });
        opt.step();
        var v = p.data<float>();
        Assert.Equal(-0.1, v[0], 5);
        Assert.Equal(0.1, v[1], 4);
        Assert.Equal(-0.1, v[2], 5);
        Assert.Equal(1.0, opt.state[p].step);
    }
}
