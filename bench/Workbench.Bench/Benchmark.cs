namespace Workbench.Bench;

/// <summary>One timed workload. Its PyTorch twin in bench/pytorch_bench.py has the same name and does the same work.</summary>
internal abstract class Benchmark : IDisposable
{
    public abstract string Name { get; }

    /// <summary>What one step does, in words, for the results table.</summary>
    public abstract string Description { get; }

    /// <summary>Floating-point operations in one step, when meaningful (for GFLOP/s).</summary>
    public virtual double? FlopsPerStep => null;

    /// <summary>Items (images, samples) processed per step, when meaningful (for items/s).</summary>
    public virtual int? ItemsPerStep => null;

    public abstract void Step();

    public virtual void Dispose() { }
}
