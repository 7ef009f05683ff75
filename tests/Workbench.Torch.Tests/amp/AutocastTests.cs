namespace Workbench.Torch.Tests.Amp;

public class AutocastTests
{
    [Fact]
    public void CpuAutocastRunsMatmulInBfloat16AndKeepsElementwiseOpsInFloat32()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var a = torch.randn(new long[] { 8, 16 }, requires_grad: true);
        var b = torch.randn(16, 4);
        Tensor y, sum, plain;
        using (torch.autocast("cpu", torch.bfloat16))
        {
            Assert.True(torch.is_autocast_cpu_enabled());
            y = a.matmul(b);
            sum = a + a;
            plain = a.mm(b);
        }
        Assert.False(torch.is_autocast_cpu_enabled());
        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.Equal(ScalarType.BFloat16, plain.dtype);
        Assert.Equal(ScalarType.Float32, sum.dtype);
        Assert.Equal(ScalarType.Float32, a.matmul(b).dtype);
        // Autocast casts the inputs to bfloat16 and calls the same kernel.
        Assert.True(y.equal(a.detach().bfloat16().matmul(b.bfloat16())));
        // Gradients flow back through the casts into the float32 leaf.
        y.@float().sum().backward();
        Assert.Equal(ScalarType.Float32, a.grad!.dtype);
    }

    [Fact]
    public void NestedScopesRestoreThePreviousState()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2, 2);
        using (torch.autocast("cpu"))
        {
            Assert.Equal(ScalarType.BFloat16, torch.get_autocast_cpu_dtype());
            using (torch.autocast("cpu", enabled: false))
            {
                Assert.False(torch.is_autocast_cpu_enabled());
                Assert.Equal(ScalarType.Float32, a.matmul(a).dtype);
            }
            Assert.True(torch.is_autocast_cpu_enabled());
            Assert.Equal(ScalarType.BFloat16, a.matmul(a).dtype);
        }
        Assert.False(torch.is_autocast_cpu_enabled());
    }

    [Fact]
    public void Float16OnCpuIsRefusedByLibtorch113()
    {
        if (!torch.__version__.StartsWith("1.", StringComparison.Ordinal)) return; // later libtorch accepts it
        var e = Assert.Throws<TorchException>(() => torch.autocast("cpu", torch.float16));
        Assert.Contains("Bfloat16", e.Message);
        Assert.False(torch.is_autocast_cpu_enabled());
        Assert.Equal(ScalarType.BFloat16, torch.get_autocast_cpu_dtype());
    }

    [Fact]
    public void CudaAutocastWithoutCudaIsADisabledScope()
    {
        if (torch.cuda.is_available()) return;
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2, 2);
        using (torch.autocast("cuda"))
        {
            Assert.False(torch.is_autocast_enabled());
            Assert.Equal(ScalarType.Float32, a.matmul(a).dtype);
        }
    }
}
