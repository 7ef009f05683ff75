using Workbench.Testing;


namespace Workbench.Torch.Tests.Parallel;

/// <summary>DDP between two ranks running as threads (each its own Gloo group on loopback).</summary>
public class DistributedDataParallelTests
{
    /// <summary>Conv, BatchNorm (buffers), conv: replicas made with different seeds so a missing sync would show.</summary>
    private static nn.Sequential[] Replicas(int count) => Enumerable.Range(0, count).Select(rank =>
    {
        torch.manual_seed(100 + rank);
        return new nn.Sequential(new nn.Conv2d(3, 8, 3, padding: 1), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.Conv2d(8, 3, 3, padding: 1));
    }).ToArray();

    private static Tensor[] Inputs(int count)
    {
        torch.manual_seed(7);
        return Enumerable.Range(0, count).Select(_ => torch.randn(4, 3, 6, 6).DetachFromDisposeScope()).ToArray();
    }

    private static float[] Flat(IEnumerable<Tensor> tensors)
    {
        using var scope = torch.NewDisposeScope();
        return tensors.SelectMany(t => t.detach().reshape(-1).data<float>()).ToArray();
    }

    [Fact]
    public void ConstructionCopiesRank0sParametersAndBuffersToEveryRank()
    {
        var models = Replicas(2);
        var rank0Before = Flat(models[0].parameters().Concat(models[0].buffers().Where(b => b.is_floating_point())));
        Assert.NotEqual(rank0Before, Flat(models[1].parameters()).Concat(Flat(models[1].buffers().Where(b => b.is_floating_point()))).ToArray());
        var after = Loopback.RunRanks(2, pg =>
        {
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg);
            return Flat(ddp.module.parameters().Concat(ddp.module.buffers().Where(b => b.is_floating_point())));
        });
        Assert.Equal(rank0Before, after[0]);
        Assert.Equal(rank0Before, after[1]);
    }

    [Theory]
    [InlineData(25.0)]
    [InlineData(0.001)] // 1 KB buckets: the conv weights (864 B each) land in different buckets, same result
    public void GradientsBecomeTheAverageOfTheRanksGradients(double bucketCapMb)
    {
        var models = Replicas(2);
        var inputs = Inputs(2);
        var results = Loopback.RunRanks(2, pg =>
        {
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg, bucket_cap_mb: bucketCapMb);
            using var scope = torch.NewDisposeScope();
            ddp.call(inputs[pg.rank()]).pow(2).mean().backward();
            var local = Flat(ddp.parameters().Select(p => p.grad!));
            ddp.reduce_gradients();
            return (local, reduced: Flat(ddp.parameters().Select(p => p.grad!)), buckets: ddp.bucket_count);
        });
        var expected = results[0].local.Zip(results[1].local, (a, b) => (a + b) / 2).ToArray();
        foreach (var r in results)
        {
            Assert.Equal(expected.Length, r.reduced.Length);
            for (var i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - r.reduced[i]) <= 1e-6f + 1e-5f * Math.Abs(expected[i]), $"grad element {i}: {r.reduced[i]} vs {expected[i]}");
        }
        Assert.Equal(results[0].reduced, results[1].reduced);
        if (bucketCapMb < 1) Assert.True(results[0].buckets > 1, $"{results[0].buckets} buckets");
        else Assert.Equal(1, results[0].buckets);
    }

    [Fact]
    public void BuffersAreRank0sAtTheStartOfEveryTrainingForward()
    {
        var models = Replicas(2);
        var inputs = Inputs(2);
        var seen = Loopback.RunRanks(2, pg =>
        {
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg);
            var bn = (nn.BatchNorm2d)ddp.module.get_submodule("1");
            var atForward = new List<float[]>();
            ddp.module.register_forward_pre_hook(_ => atForward.Add(Flat(new[] { bn.get_buffer("running_mean") })));
            for (var step = 0; step < 3; step++)
            {
                using var scope = torch.NewDisposeScope();
                ddp.call(inputs[pg.rank()]); // each rank's own batch moves its own running stats
            }
            return (atForward, after: Flat(new[] { bn.get_buffer("running_mean") }));
        });
        for (var step = 0; step < 3; step++) Assert.Equal(seen[0].atForward[step], seen[1].atForward[step]);
        Assert.NotEqual(seen[0].after, seen[1].after); // between forwards they drift, as in PyTorch
    }

    [Fact]
    public void AParameterWithoutGradientIsNamedUnlessUnusedParametersAreAllowed()
    {
        var models = Replicas(2);
        var inputs = Inputs(2);
        var errors = Assert.Throws<AggregateException>(() => Loopback.RunRanks(2, pg =>
        {
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg);
            using var scope = torch.NewDisposeScope();
            ((nn.Sequential)ddp.module)[0].call(inputs[pg.rank()]).sum().backward(); // only the first conv is used
            ddp.reduce_gradients();
            return 0;
        }, TimeSpan.FromSeconds(5)));
        Assert.Contains(errors.InnerExceptions, e => e.Message.Contains("parameter 'module.3.bias' has no gradient", StringComparison.Ordinal)
            || e.Message.Contains("parameter '3.bias' has no gradient", StringComparison.Ordinal));

        models = Replicas(2);
        var grads = Loopback.RunRanks(2, pg =>
        {
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg, find_unused_parameters: true);
            using var scope = torch.NewDisposeScope();
            ((nn.Sequential)ddp.module)[0].call(inputs[pg.rank()]).sum().backward();
            ddp.reduce_gradients();
            return Flat(ddp.parameters().Select(p => p.grad!));
        });
        Assert.Equal(grads[0], grads[1]);
    }

    [Fact]
    public void AParameterUnfrozenAfterConstructionIsAveragedToo()
    {
        var models = Replicas(2);
        var inputs = Inputs(2);
        var grads = Loopback.RunRanks(2, pg =>
        {
            var first = ((nn.Sequential)models[pg.rank()])[0];
            first.requires_grad_(false); // frozen when wrapped, as an encoder in a first training phase
            var ddp = new nn.parallel.DistributedDataParallel<Tensor, Tensor>(models[pg.rank()], pg);
            first.requires_grad_(true);  // the next phase unfreezes it
            using var scope = torch.NewDisposeScope();
            ddp.call(inputs[pg.rank()]).pow(2).mean().backward();
            ddp.reduce_gradients();
            return Flat(first.parameters().Select(p => p.grad!));
        });
        Assert.Equal(grads[0], grads[1]);
    }
}
