using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// What a recipe does differently under torch.distributed (a worker of <c>--nproc-per-node</c>): wrap the trained
/// network in DDP, read this rank's shard of the data, and leave files (TensorBoard, checkpoints, exports) to rank 0.
/// Outside a process group it is rank 0 of 1 and changes nothing.
/// </summary>
public sealed record DataParallel(int Rank, int WorldSize)
{
    /// <summary>This process's place in the default group, or rank 0 of 1 when there is none.</summary>
    public static DataParallel Current =>
        torch.distributed.is_initialized() ? new(torch.distributed.get_rank(), torch.distributed.get_world_size()) : new(0, 1);

    public bool IsDistributed => WorldSize > 1;

    /// <summary>Rank 0 writes the run's files and reports progress.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>
    /// The network the train step calls: DDP over the default group when distributed. <paramref name="broadcastBuffers"/>
    /// false is for a network called twice before one backward (a critic scoring real, then fake): a broadcast between
    /// the calls would overwrite BatchNorm statistics the first call's graph saved, and backward would raise (PyTorch
    /// raises the same; its GAN code sets broadcast_buffers=False too). Its ranks then keep their own running statistics,
    /// which a critic never uses (it always runs in training mode); checkpoints hold rank 0's.
    /// </summary>
    public nn.Module<Tensor, Tensor> Wrap(nn.Module<Tensor, Tensor> model, bool broadcastBuffers = true) =>
        IsDistributed ? new nn.parallel.DistributedDataParallel<Tensor, Tensor>(model, broadcast_buffers: broadcastBuffers) : model;

    /// <summary>
    /// This rank's shard, shuffled per epoch with the run's seed. The batch size stays per rank, as in PyTorch: the
    /// global batch is WorldSize × BatchSize.
    /// </summary>
    public DataLoaderOptions Shard(DataLoaderOptions options, int datasetCount, int seed) =>
        IsDistributed ? options with { Shuffle = false, Sampler = new DistributedSampler(datasetCount, WorldSize, Rank, shuffle: options.Shuffle, seed: seed) } : options;

    /// <summary>All ranks wait here (e.g. until rank 0 has prepared the run folder).</summary>
    public void Barrier()
    {
        if (IsDistributed) torch.distributed.barrier();
    }
}
