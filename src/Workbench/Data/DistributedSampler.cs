using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// Gives each rank its own shard of the dataset, as torch.utils.data.distributed.DistributedSampler: all ranks shuffle
/// with the same seed + epoch, then rank r takes positions r, r + R, r + 2R ... With <paramref name="drop_last"/> false
/// (the default) the order is padded by repeating its first indices until it divides evenly, so every rank gets the same
/// number of items (a few items appear twice in an epoch); with true, the tail is dropped instead.
/// <para>The shuffle is .NET's seeded Random, not torch.randperm: every rank of this program agrees, but the order differs
/// from PyTorch's for the same seed.</para>
/// </summary>
public sealed class DistributedSampler : ISampler
{
    private readonly int datasetCount;
    private int epoch;

    /// <param name="dataset_count">Items in the dataset.</param>
    /// <param name="num_replicas">Ranks sharing it; default: the world size of the default process group.</param>
    /// <param name="rank">This rank; default: the default group's rank.</param>
    /// <param name="shuffle">Shuffle per epoch (seeded by <paramref name="seed"/> and the epoch).</param>
    /// <param name="seed">Must be the same on every rank.</param>
    /// <param name="drop_last">Drop the tail instead of padding.</param>
    public DistributedSampler(int dataset_count, int? num_replicas = null, int? rank = null, bool shuffle = true, int seed = 0, bool drop_last = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dataset_count);
        this.num_replicas = num_replicas ?? torch.distributed.get_world_size();
        this.rank = rank ?? torch.distributed.get_rank();
        if (this.rank < 0 || this.rank >= this.num_replicas)
            throw new ArgumentException($"Invalid rank {this.rank}, rank should be in the interval [0, {this.num_replicas - 1}]");
        datasetCount = dataset_count;
        this.shuffle = shuffle;
        this.seed = seed;
        this.drop_last = drop_last;
        // PyTorch's arithmetic: drop the tail only when it does not divide evenly.
        num_samples = drop_last && dataset_count % this.num_replicas != 0
            ? (int)Math.Ceiling((dataset_count - this.num_replicas) / (double)this.num_replicas)
            : (int)Math.Ceiling(dataset_count / (double)this.num_replicas);
        total_size = num_samples * this.num_replicas;
    }

    public int num_replicas { get; }
    public int rank { get; }
    public bool shuffle { get; }
    public int seed { get; }
    public bool drop_last { get; }

    /// <summary>Items this rank visits per epoch.</summary>
    public int num_samples { get; }

    /// <summary>Items all ranks visit together per epoch (padded or trimmed dataset size).</summary>
    public int total_size { get; }

    public int Count => num_samples;

    /// <summary>PyTorch's set_epoch, for loops that enumerate <see cref="GetIndices"/> themselves.</summary>
    public void set_epoch(int value) => epoch = value;

    /// <summary>This rank's indices for the epoch last given to <see cref="set_epoch"/>.</summary>
    public int[] GetIndices() => Indices(epoch);

    public int[] Indices(int epoch)
    {
        var order = Enumerable.Range(0, datasetCount).ToArray();
        if (shuffle) new Random(unchecked(seed * 1_000_003 + epoch)).Shuffle(order);
        var all = new int[total_size];
        if (drop_last) Array.Copy(order, all, total_size);
        else
            for (var i = 0; i < total_size; i++) all[i] = order[i % Math.Max(1, order.Length)]; // padding repeats from the start, as PyTorch
        var mine = new int[num_samples];
        for (var i = 0; i < num_samples; i++) mine[i] = all[rank + i * num_replicas];
        return mine;
    }
}
