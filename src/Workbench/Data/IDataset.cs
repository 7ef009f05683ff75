namespace Workbench.Data;

/// <summary>
/// A map-style dataset, as torch.utils.data.Dataset. <paramref name="random"/> is seeded per item
/// (from the loader's seed, the epoch and the index), so augmentations are reproducible whatever
/// the number of worker threads.
/// </summary>
public interface IDataset<out T>
{
    int Count { get; }

    T Get(int index, Random random);
}

public static class Dataset
{
    /// <summary>Applies a transform to every item, lazily (decoding, cropping, degrading...).</summary>
    public static IDataset<TOut> Select<TIn, TOut>(this IDataset<TIn> source, Func<TIn, Random, TOut> transform) =>
        new MappedDataset<TIn, TOut>(source, transform);

    public static IDataset<TOut> Select<TIn, TOut>(this IDataset<TIn> source, Func<TIn, TOut> transform) =>
        new MappedDataset<TIn, TOut>(source, (item, _) => transform(item));

    /// <summary>A dataset over an in-memory list.</summary>
    public static IDataset<T> FromList<T>(IReadOnlyList<T> items) => new ListDataset<T>(items);

    /// <summary>The items at the given indices, in that order (train/validation splits).</summary>
    public static IDataset<T> Subset<T>(this IDataset<T> source, IReadOnlyList<int> indices) => new SubsetDataset<T>(source, indices);

    private sealed class MappedDataset<TIn, TOut>(IDataset<TIn> source, Func<TIn, Random, TOut> transform) : IDataset<TOut>
    {
        public int Count => source.Count;

        public TOut Get(int index, Random random) => transform(source.Get(index, random), random);
    }

    private sealed class ListDataset<T>(IReadOnlyList<T> items) : IDataset<T>
    {
        public int Count => items.Count;

        public T Get(int index, Random random) => items[index];
    }

    private sealed class SubsetDataset<T>(IDataset<T> source, IReadOnlyList<int> indices) : IDataset<T>
    {
        public int Count => indices.Count;

        public T Get(int index, Random random) => source.Get(indices[index], random);
    }
}
