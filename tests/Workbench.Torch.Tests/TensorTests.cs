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
    public void CopyToFillsASpanInRowMajorOrderFromAnyLayout()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.arange(6, dtype: ScalarType.UInt8).view(2, 3);
        var destination = new byte[6];
        t.t().CopyTo<byte>(destination); // a transposed view: copied as its own (3, 2) row-major order
        Assert.Equal(new byte[] { 0, 3, 1, 4, 2, 5 }, destination);
        Assert.Throws<ArgumentException>(() => t.CopyTo<byte>(new byte[5]));
        Assert.Throws<InvalidOperationException>(() => t.CopyTo<float>(new float[6]));
    }

    [Fact]
    public unsafe void DataPtrAddressesTheElementsOfAContiguousCpuTensor()
    {
        using var scope = torch.NewDisposeScope();
        var t = torch.zeros([4], ScalarType.Int32);
        var elements = new Span<int>((void*)t.data_ptr(), 4);
        elements[2] = 7; // written in place, as a native codec does
        Assert.Equal(new[] { 0, 0, 7, 0 }, t.data<int>());
        Assert.Throws<TorchException>(() => t.view(2, 2).t().data_ptr()); // strided: no single row-major block
    }

    [Fact]
    public void EqualityOperatorsCompareElementsAsPyTorchDoes()
    {
        // `a == b` once compiled as a reference comparison: false for two tensors holding the same values.
        using var scope = torch.NewDisposeScope();
        var a = torch.tensor(new float[] { 1, 2, 3 });
        var b = torch.tensor(new float[] { 1, 5, 3 });
        Tensor same = a == a.clone();
        Assert.Equal(ScalarType.Bool, same.dtype);
        Assert.Equal(new[] { true, true, true }, same.data<bool>());
        Assert.Equal(new[] { true, false, true }, (a == b).data<bool>());
        Assert.Equal(new[] { false, true, false }, (a != b).data<bool>());
        Assert.Equal(new[] { false, false, true }, (a == 3).data<bool>());
        Assert.Equal(new[] { true, true, false }, (a != 3.0).data<bool>());
        // Equals stays .NET identity (dictionaries and sets of tensors keep working); null is tested with `is null`.
        Assert.False(a.Equals(a.clone()));
        Assert.True(a.Equals(a));
        Tensor? missing = null;
        Assert.Contains("is null", Assert.Throws<ArgumentNullException>(() => a == missing!).Message);
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
