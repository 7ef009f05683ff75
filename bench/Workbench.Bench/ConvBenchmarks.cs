using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Bench;

/// <summary>
/// The foundation issue's micro-benchmark: conv2d → leaky_relu → conv2d, forward and backward,
/// on a batch shaped like an SR training step (16 × 64 channels × 64²).
/// </summary>
internal sealed class ConvLeakyConvBenchmark : Benchmark
{
    private readonly Tensor x = torch.randn(16, 64, 64, 64);
    private readonly Tensor w1 = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_();
    private readonly Tensor b1 = torch.zeros(new long[] { 64 }, requires_grad: true);
    private readonly Tensor w2 = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_();
    private readonly Tensor b2 = torch.zeros(new long[] { 64 }, requires_grad: true);

    public override string Name => "conv_lrelu_conv";
    public override string Description => "conv3x3-leaky_relu-conv3x3 fwd+bwd, 16x64x64x64";

    /// <summary>Two convolutions; backward costs about twice the forward (grad input + grad weight).</summary>
    public override double? FlopsPerStep => 3 * 2 * (2.0 * 16 * 64 * 64 * 64 * 64 * 9);
    public override int? ItemsPerStep => 16;

    public override void Step()
    {
        using var scope = torch.NewDisposeScope();
        var y = F.conv2d(F.leaky_relu(F.conv2d(x, w1, b1, padding: 1), 0.1), w2, b2, padding: 1);
        y.sum().backward();
        foreach (var p in new[] { w1, b1, w2, b2 }) p.grad = null;
    }

    public override void Dispose()
    {
        foreach (var t in new[] { x, w1, b1, w2, b2 }) t.Dispose();
    }
}
