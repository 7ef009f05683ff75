using Workbench.Torch;

namespace Workbench.Bench;

/// <summary>Dense matmul: measures the BLAS peak this libtorch reaches on this machine.</summary>
internal sealed class MatmulBenchmark : Benchmark
{
    private const int N = 2048;
    private readonly Tensor a = torch.randn(N, N);
    private readonly Tensor b = torch.randn(N, N);

    public override string Name => "matmul_2048";
    public override string Description => "2048x2048 float32 matmul";
    public override double? FlopsPerStep => 2.0 * N * N * N;

    public override void Step()
    {
        using var c = a.matmul(b);
    }

    public override void Dispose()
    {
        a.Dispose();
        b.Dispose();
    }
}

/// <summary>Many small ops: measures per-op overhead of the binding (P/Invoke + handle + scope bookkeeping).</summary>
internal sealed class SmallOpsBenchmark : Benchmark
{
    private readonly Tensor x = torch.randn(16, 16);

    public override string Name => "small_ops_x100";
    public override string Description => "100 elementwise ops on a 16x16 tensor";

    public override void Step()
    {
        using var scope = torch.NewDisposeScope();
        var y = x;
        for (var i = 0; i < 25; i++) y = ((y * 0.5) + 1).tanh().sub(0.1);
    }

    public override void Dispose() => x.Dispose();
}

/// <summary>A two-layer MLP training step written with raw tensor ops (forward, backward, SGD).</summary>
internal sealed class MlpTrainStepBenchmark : Benchmark
{
    private readonly Tensor w1 = (torch.randn(1024, 1024) * 0.02).requires_grad_();
    private readonly Tensor w2 = (torch.randn(1024, 10) * 0.02).requires_grad_();
    private readonly Tensor x = torch.randn(256, 1024);
    private readonly Tensor target = torch.randn(256, 10);

    public override string Name => "mlp_train_step";
    public override string Description => "MLP 1024-1024-10, batch 256: forward, backward, SGD";
    public override double? FlopsPerStep => 3 * 2.0 * 256 * (1024 * 1024 + 1024 * 10);
    public override int? ItemsPerStep => 256;

    public override void Step()
    {
        using var scope = torch.NewDisposeScope();
        var loss = x.matmul(w1).relu().matmul(w2).sub(target).pow(2).mean();
        loss.backward();
        using (torch.no_grad())
        {
            foreach (var w in new[] { w1, w2 })
            {
                var g = w.grad!;
                w.sub_(g, 0.01);
                g.zero_();
            }
        }
    }

    public override void Dispose()
    {
        foreach (var t in new[] { w1, w2, x, target }) t.Dispose();
    }
}
