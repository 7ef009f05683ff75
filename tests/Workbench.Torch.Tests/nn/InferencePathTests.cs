namespace Workbench.Torch.Tests;

/// <summary>
/// Layers that take a leaner path in inference (no grad) than in training give the training path's numbers:
/// self-attention a block of key columns at a time, a conv with a large weight on a small map by unfold + GEMM.
/// </summary>
public class InferencePathTests
{
    private static void AssertClose(Tensor expected, Tensor actual, double relative)
    {
        var error = (expected - actual).abs().max().item<float>() / expected.abs().max().item<float>();
        Assert.True(error <= relative, $"relative difference {error}");
    }

    [Fact]
    public void SelfAttentionInColumnBlocksMatchesTheWholeMatrix()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(6);
        using var attention = new nn.SelfAttention(16);
        attention.eval();
        using (torch.no_grad()) attention.gamma.fill_(0.7);
        var x = torch.randn(2, 16, 48, 48);                             // 2304 positions: two blocks of columns
        var whole = attention.call(x);                                  // grad enabled: one (HW, HW) matrix
        using var noGrad = torch.no_grad();
        AssertClose(whole, attention.call(x), 1e-6);
    }

    [Theory]
    [InlineData("zeros")]
    [InlineData("reflect")]
    public void AConvWhoseWeightOutweighsItsMapMatchesTheOneDnnResult(string paddingMode)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        using var conv = new nn.Conv2d(64, 128, 3, padding: 1, padding_mode: paddingMode); // weight 73,728 > 9·64·6·5
        var x = torch.randn(2, 64, 6, 5);
        var oneDnn = conv.call(x);
        using var noGrad = torch.no_grad();
        AssertClose(oneDnn, conv.call(x), 1e-5);
    }
}
