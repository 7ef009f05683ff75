using Workbench.Torch;

namespace Workbench.Torch.Tests;

public class TensorTests
{
    [Fact]
    public void CreatesAndReadsBack()
    {
        using var t = torch.tensor(new float[] { 1, 2, 3, 4, 5, 6 }, new long[] { 2, 3 });
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, t.data<float>());
        using var s = t.sum();
        Assert.Equal(21f, s.item<float>());
    }

    [Fact]
    public void ShapeMismatchRaisesLibtorchMessage()
    {
        using var a = torch.ones(2, 3);
        using var b = torch.ones(4, 5);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("cannot be multiplied", e.Message);
        Assert.DoesNotContain("frame #", e.Message);
    }

    [Fact]
    public void PrintsLikePyTorch()
    {
        using var t = torch.tensor(new float[] { 1, 2.5f, -3 });
        Assert.Equal("tensor([ 1.0000,  2.5000, -3.0000])", t.ToString());
        using var i = torch.arange(3);
        Assert.Equal("tensor([0, 1, 2])", i.ToString());
        using var d = torch.ones(new long[] { 2 }, ScalarType.Float64);
        Assert.Equal("tensor([1., 1.], dtype=torch.float64)", d.ToString());
    }
}
