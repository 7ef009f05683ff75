using Xunit.Abstractions;

namespace Workbench.Torch.Tests.Optim;

public class SGDTests(ITestOutputHelper output)
{
    public static TheoryData<string> Configs => OptimReference.Names("SGD");

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
        Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { p }, lr: -1));
        Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { p }, lr: 0.1, nesterov: true));
        Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { p }, lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true));
        var e = Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { new optim.ParamGroup(new[] { p }) }));
        Assert.Contains("required optimization parameter lr", e.Message);
    }

    [Fact]
    public void PlainSgdKeepsNoMomentumBuffer()
    {
        using var p = torch.ones(new long[] { 3 }, requires_grad: true);
        using var opt = new optim.SGD(new[] { p }, lr: 0.5);
        p.grad = torch.full(new long[] { 3 }, 2.0);
        opt.step();
        Assert.Equal(new float[] { 0, 0, 0 }, p.data<float>());
        Assert.Empty(opt.state[p].Buffers);
    }
}
