using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Models.Discriminators;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Bench;

/// <summary>
/// Training steps and inference of the workbench's own networks. The twins in bench/pytorch_model_bench.py run the
/// parity-tested reference definitions from tests/reference with the same shapes, init family, loss and optimizer.
/// </summary>
internal static class ModelBenchmarks
{
    public static Benchmark EspcnX2Train() => new TrainStepBenchmark("espcn_x2_train",
        "ESPCN x2 (64 ch) train step, batch 16 of 3x64x64, L1, Adam; GFLOP/s: 3x fwd conv FLOPs",
        new Espcn(scale: 2), torch.rand(16, 3, 64, 64), torch.rand(16, 3, 128, 128), (y, t) => F.l1_loss(y, t));

    public static Benchmark RrdbNetX4Train() => new TrainStepBenchmark("rrdbnet_x4_train",
        "RRDBNet x4 (nf 32, 3 RRDB, grow 32) train step, batch 4 of 3x32x32, L1, Adam; GFLOP/s: 3x fwd conv FLOPs",
        new RrdbNet(scale: 4, num_feat: 32, num_block: 3, num_grow_ch: 32), torch.rand(4, 3, 32, 32), torch.rand(4, 3, 128, 128), (y, t) => F.l1_loss(y, t));

    public static Benchmark UnetSmallTrain() => new TrainStepBenchmark("unet_small_train",
        "U-Net 'small' (ResNet-18/32 wide) train step, batch 4 of 3x64x64, L1, Adam; GFLOP/s: 3x fwd conv FLOPs",
        UnetSpec.Preset("small").Build(), torch.rand(4, 3, 64, 64), torch.rand(4, 3, 64, 64), (y, t) => F.l1_loss(y, t));

    public static Benchmark DiscDilationTrain() => new TrainStepBenchmark("disc_dilation_train",
        "DiscriminatorDilationNetwork (32 ch) train step, batch 8 of 3x64x64, BCE, Adam; GFLOP/s: 3x fwd conv FLOPs",
        new DiscriminatorDilationNetwork(mid_channels: 32), torch.rand(8, 3, 64, 64), torch.ones(8, 1, 8, 8), (y, t) => F.binary_cross_entropy_with_logits(y, t));

    public static Benchmark ZhangTrain() => new TrainStepBenchmark("zhang_train",
        "Zhang colorizer net (width 32, 259 ab bins) train step, batch 8 of 3x96x96, cross-entropy, Adam; GFLOP/s: 3x fwd conv FLOPs",
        new ZhangColorNet(259, 32), torch.rand(8, 3, 96, 96), torch.randint(0, 259, new long[] { 8, 24, 24 }), (y, t) => F.cross_entropy(y, t));

    public static Benchmark ZhangTrainBf16() => new TrainStepBenchmark("zhang_train_bf16",
        "the same under CPU bfloat16 autocast (forward in bf16, loss in float32); GFLOP/s: 3x fwd conv FLOPs",
        new Bf16Autocast(new ZhangColorNet(259, 32)), torch.rand(8, 3, 96, 96), torch.randint(0, 259, new long[] { 8, 24, 24 }), (y, t) => F.cross_entropy(y, t));

    public static Benchmark EspcnX2Infer256() => new InferenceBenchmark("espcn_x2_infer_256",
        "ESPCN x2 inference (no_grad), one 3x256x256 image; GFLOP/s: fwd conv FLOPs", new Espcn(scale: 2), torch.rand(1, 3, 256, 256));

    public static Benchmark UnetSmallInfer256() => new InferenceBenchmark("unet_small_infer_256",
        "U-Net 'small' inference (no_grad, eval), one 3x256x256 image; GFLOP/s: fwd conv FLOPs", UnetSpec.Preset("small").Build(), torch.rand(1, 3, 256, 256));

    /// <summary>
    /// Forward FLOPs of the convolutions (2 per multiply-add; bias, norms, attention matmuls left out), counted with
    /// hooks on the real shapes, exactly as the Python twin counts them, so both sides divide the same number.
    /// </summary>
    public static double ConvFlops(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        double total = 0;
        var handles = model.modules().OfType<nn.ConvNd>().Select(conv => conv.register_forward_hook((m, input, y) =>
        {
            var c = (nn.ConvNd)m;
            var kernel = c.kernel_size.Aggregate(1L, (a, k) => a * k);
            // A convolution computes each output from in/groups × kernel inputs; a transposed one scatters each input
            // to out/groups × kernel outputs.
            total += c.transposed ? 2.0 * input.numel() * (c.out_channels / c.groups) * kernel : 2.0 * y.numel() * (c.in_channels / c.groups) * kernel;
        })).ToList();
        var wasTraining = model.training;
        model.eval(); // no BatchNorm statistics or spectral-norm iterations move while counting
        using (torch.no_grad())
        using (torch.NewDisposeScope())
            model.call(x);
        model.train(wasTraining);
        foreach (var h in handles) h.remove();
        return total;
    }
}

/// <summary>Forward, loss, zero_grad, backward, Adam step on a fixed random batch (float32, CPU).</summary>
/// <summary>Runs a module's forward under CPU bfloat16 autocast and returns float32 (as SupervisedStep does with BFloat16).</summary>
internal sealed class Bf16Autocast : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> inner;

    public Bf16Autocast(nn.Module<Tensor, Tensor> inner) => this.inner = register_module("inner", inner);

    public override Tensor forward(Tensor x)
    {
        using var autocast = torch.autocast("cpu", ScalarType.BFloat16);
        return inner.call(x).to(ScalarType.Float32);
    }
}

internal sealed class TrainStepBenchmark : Benchmark
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Tensor x, target;
    private readonly Func<Tensor, Tensor, Tensor> loss;
    private readonly optim.Adam optimizer;

    public TrainStepBenchmark(string name, string description, nn.Module<Tensor, Tensor> model, Tensor x, Tensor target, Func<Tensor, Tensor, Tensor> loss)
    {
        Name = name;
        Description = description;
        (this.model, this.x, this.target, this.loss) = (model, x, target, loss);
        FlopsPerStep = 3 * ModelBenchmarks.ConvFlops(model, x); // backward ≈ 2x forward (grad input + grad weight)
        ItemsPerStep = (int)x.size(0);
        model.train();
        optimizer = new optim.Adam(model.parameters(), lr: 1e-4);
    }

    public override string Name { get; }
    public override string Description { get; }
    public override double? FlopsPerStep { get; }
    public override int? ItemsPerStep { get; }

    public override void Step()
    {
        using var scope = torch.NewDisposeScope();
        var l = loss(model.call(x), target);
        optimizer.zero_grad();
        l.backward();
        optimizer.step();
    }

    public override void Dispose()
    {
        optimizer.Dispose();
        model.Dispose();
        x.Dispose();
        target.Dispose();
    }
}

/// <summary>One forward under no_grad in eval mode.</summary>
internal sealed class InferenceBenchmark : Benchmark
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly Tensor x;

    public InferenceBenchmark(string name, string description, nn.Module<Tensor, Tensor> model, Tensor x)
    {
        Name = name;
        Description = description;
        (this.model, this.x) = (model, x);
        model.eval();
        // Counted on first use, after the timed steps and the peak RSS reading: a Sequential keeps the outputs of
        // hooked modules, so the counting forward holds every conv output (2.5 GB for SRVGGNetCompact at 512²).
        flops = new Lazy<double?>(() => ModelBenchmarks.ConvFlops(model, x));
        ItemsPerStep = (int)x.size(0);
    }

    private readonly Lazy<double?> flops;

    public override string Name { get; }
    public override string Description { get; }
    public override double? FlopsPerStep => flops.Value;
    public override int? ItemsPerStep { get; }

    public override void Step()
    {
        using var scope = torch.NewDisposeScope();
        using var grad = torch.no_grad();
        model.call(x);
    }

    public override void Dispose()
    {
        model.Dispose();
        x.Dispose();
    }
}
