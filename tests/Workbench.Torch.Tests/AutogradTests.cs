using Workbench.Torch;

namespace Workbench.Torch.Tests;

public class AutogradTests
{
    [Fact]
    public void BackwardAccumulatesIntoGrad()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        Assert.Null(x.grad);
        (x * x).sum().backward();
        Assert.Equal(new float[] { 2, 4, 6 }, x.grad!.data<float>());
        (x * 3).sum().backward();
        Assert.Equal(new float[] { 5, 7, 9 }, x.grad!.data<float>());
    }

    [Fact]
    public void NoGradScopeRecordsNothingAndRestores()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 2 }, requires_grad: true);
        using (torch.no_grad())
        {
            Assert.False(torch.is_grad_enabled());
            Assert.False((x * 2).requires_grad);
            using (torch.enable_grad()) Assert.True((x * 2).requires_grad);
            Assert.False(torch.is_grad_enabled());
        }
        Assert.True(torch.is_grad_enabled());
        Assert.Equal("MulBackward0", (x * x).grad_fn);
    }

    [Fact]
    public void AutogradGradWithCreateGraphGivesSecondDerivative()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(new double[] { 0.5, -1.5 }, requires_grad: true);
        var y = (x * x * x).sum();
        var dy = torch.autograd.grad(new[] { y }, new[] { x }, create_graph: true)[0]!;
        Assert.Equal(new double[] { 0.75, 6.75 }, dy.data<double>());
        var d2 = torch.autograd.grad(new[] { dy.sum() }, new[] { x })[0]!;
        Assert.Equal(new double[] { 3.0, -9.0 }, d2.data<double>());
    }

    [Fact]
    public void BackwardOnNonScalarWithoutGradientExplains()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(new long[] { 3 }, requires_grad: true);
        var e = Assert.Throws<TorchException>(() => (x * 2).backward());
        Assert.Contains("grad can be implicitly created only for scalar outputs", e.Message);
    }
}
