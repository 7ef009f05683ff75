using Workbench.Torch;

namespace Workbench.Training;

/// <summary>Sets libtorch's intra-op thread count for a scope (0 = leave it) and restores it.</summary>
public sealed class ThreadCount : IDisposable
{
    private readonly int previous;

    private ThreadCount(int threads)
    {
        previous = torch.get_num_threads();
        if (threads > 0) torch.set_num_threads(threads);
    }

    public static ThreadCount Set(int threads) => new(threads);

    public void Dispose() => torch.set_num_threads(previous);
}
