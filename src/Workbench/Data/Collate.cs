using Workbench.Torch;

namespace Workbench.Data;

/// <summary>An input/target pair of CHW tensors (a degraded photo and its original).</summary>
public sealed record ImagePair(Tensor Input, Tensor Target) : IDisposable
{
    public void Dispose()
    {
        Input.Dispose();
        Target.Dispose();
    }
}

/// <summary>A batch of (N,C,H,W) inputs and targets.</summary>
public sealed record ImageBatch(Tensor Input, Tensor Target) : IDisposable
{
    public int Count => (int)Input.size(0);

    public void Dispose()
    {
        Input.Dispose();
        Target.Dispose();
    }
}

/// <summary>Collate functions: stack CHW items into an (N,C,H,W) batch (items must share a shape).</summary>
public static class Collate
{
    public static Tensor Stack(IReadOnlyList<Tensor> items) => torch.stack(items);

    public static ImageBatch Pairs(IReadOnlyList<ImagePair> items) =>
        new(torch.stack(items.Select(p => p.Input).ToList()), torch.stack(items.Select(p => p.Target).ToList()));
}

/// <summary>Shorthands for the common loaders.</summary>
public static class DataLoader
{
    public static DataLoader<Tensor, Tensor> Create(IDataset<Tensor> dataset, int batchSize, DataLoaderOptions? options = null) =>
        new(dataset, batchSize, Collate.Stack, options);

    public static DataLoader<ImagePair, ImageBatch> Create(IDataset<ImagePair> dataset, int batchSize, DataLoaderOptions? options = null) =>
        new(dataset, batchSize, Collate.Pairs, options);
}
