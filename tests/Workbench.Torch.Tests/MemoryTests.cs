using Workbench.Torch;

namespace Workbench.Torch.Tests;

public class MemoryTests
{
    private static long RssBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    /// <summary>One step of a two-layer net trained by hand: forward, backward, SGD update, all in a scope.</summary>
    private static float Step(Tensor w1, Tensor w2, double lr)
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.randn(32, 128);
        var target = x.narrow(1, 0, 16).sin();
        var loss = x.matmul(w1).leaky_relu(0.1).matmul(w2).sub(target).pow(2).mean();
        loss.backward();
        using (torch.no_grad())
        {
            foreach (var w in new[] { w1, w2 })
            {
                var g = w.grad!;
                w.sub_(g, lr);
                g.zero_();
            }
        }
        return loss.item<float>();
    }

    [Fact]
    public void TrainingLoopKeepsRssFlat()
    {
        torch.manual_seed(0);
        using var w1 = (torch.randn(128, 64) * 0.05).requires_grad_();
        using var w2 = (torch.randn(64, 16) * 0.05).requires_grad_();
        for (var i = 0; i < 300; i++) Step(w1, w2, 0.05); // let allocator caches and the JIT settle
        GC.Collect();
        var before = RssBytes();
        var first = Step(w1, w2, 0.05);
        float last = 0;
        for (var i = 0; i < 5000; i++) last = Step(w1, w2, 0.05);
        GC.Collect();
        var growth = RssBytes() - before;
        Assert.True(growth < 50L * 1024 * 1024, $"RSS grew by {growth / 1048576.0:F1} MB over 5,000 steps");
        Assert.True(last < first, $"loss should fall while training (first {first}, last {last})");
    }

    [Fact]
    public void ScopeFreesTemporariesAndKeepsMovedResult()
    {
        Tensor kept;
        Tensor temporary;
        using (var scope = torch.NewDisposeScope())
        {
            temporary = torch.ones(3) * 2;
            kept = (temporary + 1).MoveToOuterDisposeScope();
            Assert.Equal(2, scope.Count); // ones(3) and its doubling; the moved result left
        }
        Assert.True(temporary.IsDisposed);
        Assert.False(kept.IsDisposed);
        Assert.Equal(new float[] { 3, 3, 3 }, kept.data<float>());
        kept.Dispose();
        Assert.Throws<ObjectDisposedException>(() => kept.shape);
    }

    [Fact]
    public void NestedScopesHandResultsOutward()
    {
        using var outer = torch.NewDisposeScope();
        Tensor result;
        using (torch.NewDisposeScope())
        {
            result = torch.arange(4).MoveToOuterDisposeScope();
        }
        Assert.Equal(1, outer.Count);
        Assert.Equal(new long[] { 0, 1, 2, 3 }, result.data<long>());
    }
}
