using System.Collections;
using System.Collections.Concurrent;

using Workbench.Torch;

namespace Workbench.Data;

public sealed record DataLoaderOptions
{
    /// <summary>Reshuffle the order every epoch (seeded by Seed and the epoch number).</summary>
    public bool Shuffle { get; init; }

    /// <summary>Seeds the order and every item's Random.</summary>
    public int Seed { get; init; }

    /// <summary>Threads decoding items in parallel; 0 decodes on the batcher thread.</summary>
    public int NumWorkers { get; init; } = Environment.ProcessorCount;

    /// <summary>Batches assembled ahead of the consumer.</summary>
    public int PrefetchBatches { get; init; } = 2;

    /// <summary>Drop a last incomplete batch, so every batch has BatchSize items.</summary>
    public bool DropLast { get; init; }

    /// <summary>
    /// The indices each epoch visits (a <see cref="DistributedSampler"/> gives each rank its shard); default: every item,
    /// shuffled if <see cref="Shuffle"/>. As in PyTorch, a sampler and Shuffle are mutually exclusive.
    /// </summary>
    public ISampler? Sampler { get; init; }

    /// <summary>Where bad items are reported (once per item for the loader's lifetime). Default: stderr.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>
/// Batches a dataset: parallel decoding workers, ordered results, a background batcher with prefetch,
/// seeded shuffling per epoch, drop_last. An item whose Get throws (a corrupt image) is reported once
/// and skipped; the epoch goes on with the next items, so batches stay full.
/// Items that are IDisposable are disposed after collation; the consumer owns (and disposes) each batch.
/// </summary>
public sealed class DataLoader<TItem, TBatch> : IEnumerable<TBatch>, IBatchSource<TBatch>
{
    private readonly IDataset<TItem> dataset;
    private readonly Func<IReadOnlyList<TItem>, TBatch> collate;
    private readonly DataLoaderOptions options;
    private readonly ConcurrentDictionary<int, bool> reportedBad = new();
    private int epoch;

    public DataLoader(IDataset<TItem> dataset, int batchSize, Func<IReadOnlyList<TItem>, TBatch> collate, DataLoaderOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        this.dataset = dataset;
        this.collate = collate;
        this.options = options ?? new DataLoaderOptions();
        if (this.options.Sampler is not null && this.options.Shuffle) throw new ArgumentException("sampler option is mutually exclusive with shuffle");
        BatchSize = batchSize;
    }

    public int BatchSize { get; }

    /// <summary>Epochs started so far; the next enumeration uses this number for its shuffle.</summary>
    public int Epoch => epoch;

    /// <summary>Indices of items that failed to load so far.</summary>
    public IReadOnlyCollection<int> BadItems => reportedBad.Keys.ToList();

    /// <summary>Batches per epoch assuming every item loads.</summary>
    public int BatchesPerEpoch => options.DropLast ? ItemsPerEpoch / BatchSize : (ItemsPerEpoch + BatchSize - 1) / BatchSize;

    /// <summary>Items one epoch visits: the sampler's count (this rank's shard) or the dataset's.</summary>
    public int ItemsPerEpoch => options.Sampler?.Count ?? dataset.Count;

    public IEnumerator<TBatch> GetEnumerator() =>
        Iterate(Interlocked.Increment(ref epoch) - 1, 0).Select(b => b.Batch).GetEnumerator();

    /// <summary>
    /// One epoch's batches in its seeded order, starting at dataset position <paramref name="startPosition"/>
    /// (the first positions are skipped without being loaded). Each batch comes with the position just
    /// after its last item, so a trainer can checkpoint (epoch, position) and resume bit-identically.
    /// </summary>
    public IEnumerable<(TBatch Batch, int EndPosition)> Iterate(int epochNumber, int startPosition) =>
        new EpochRun(this, epochNumber, startPosition).Run();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// A stable seed for an item's Random. HashCode.Combine would be simpler but is randomized per
    /// process, which would break resuming a run in a new process; SplitMix64 is the same everywhere.
    /// </summary>
    internal static int ItemSeed(int seed, int epochNumber, int index) => Mix((ulong)(uint)Mix((ulong)(uint)Mix((ulong)(uint)seed) ^ (uint)epochNumber) ^ (uint)index);

    private static int Mix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return (int)(x ^ (x >> 31));
    }

    private sealed class EpochRun
    {
        private readonly DataLoader<TItem, TBatch> loader;
        private readonly int number;
        private readonly int[] order;
        private readonly (bool ready, bool ok, TItem? item)[] results;
        private readonly object gate = new();
        private readonly SemaphoreSlim window;
        private readonly BlockingCollection<(TBatch, int)> batches;
        private readonly CancellationTokenSource stop = new();
        private readonly int start;
        private int next;
        private Exception? firstError;
        private Exception? fatal;

        public EpochRun(DataLoader<TItem, TBatch> loader, int number, int startPosition)
        {
            this.loader = loader;
            this.number = number;
            if (loader.options.Sampler is { } sampler) order = sampler.Indices(number);
            else
            {
                order = Enumerable.Range(0, loader.dataset.Count).ToArray();
                if (loader.options.Shuffle) new Random(ItemSeed(loader.options.Seed, number, -1)).Shuffle(order);
            }
            start = Math.Clamp(startPosition, 0, order.Length);
            next = start - 1;
            results = new (bool, bool, TItem?)[order.Length];
            // Workers may run this many items ahead of the batcher: bounded memory whatever the dataset size.
            window = new SemaphoreSlim(Math.Max(1, (loader.options.PrefetchBatches + 1) * loader.BatchSize + loader.options.NumWorkers));
            batches = new BlockingCollection<(TBatch, int)>(Math.Max(1, loader.options.PrefetchBatches));
        }

        public IEnumerable<(TBatch, int)> Run()
        {
            var workers = Enumerable.Range(0, loader.options.NumWorkers).Select(i => StartThread(Work, $"DataLoader worker {i}")).ToList();
            var batcher = StartThread(Batch, "DataLoader batcher");
            try
            {
                foreach (var batch in batches.GetConsumingEnumerable())
                    yield return batch;
                if (fatal is not null) throw new InvalidOperationException("the data loader failed: " + fatal.Message, fatal);
            }
            finally
            {
                stop.Cancel();
                window.Release(loader.options.NumWorkers + 1);
                foreach (var w in workers) w.Join();
                batcher.Join();
                // An early break leaves prefetched batches and decoded items behind: free them now.
                while (batches.TryTake(out var leftover)) (leftover.Item1 as IDisposable)?.Dispose();
                foreach (var r in results) if (r.ok) (r.item as IDisposable)?.Dispose();
            }
        }

        private static Thread StartThread(ThreadStart body, string name)
        {
            // One intra-op thread each, as PyTorch's worker processes: parallel ops in every worker would fight the
            // training thread's threads for the cores (a loader epoch of JPEGs: 155 ms with, 110 ms without).
            var t = new Thread(() => { torch.set_num_threads_this_thread(1); body(); }) { IsBackground = true, Name = name };
            t.Start();
            return t;
        }

        private (bool ok, TItem? item) Load(int position)
        {
            var index = order[position];
            try
            {
                var random = new Random(ItemSeed(loader.options.Seed, number, index));
                return (true, loader.dataset.Get(index, random));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.CompareExchange(ref firstError, e, null);
                if (loader.reportedBad.TryAdd(index, true))
                    (loader.options.Log ?? (m => Console.Error.WriteLine(m)))($"skipping item {index}: {e.Message}");
                return (false, default);
            }
        }

        private void Work()
        {
            while (true)
            {
                window.Wait();
                if (stop.IsCancellationRequested) return;
                var position = Interlocked.Increment(ref next);
                if (position >= order.Length) return;
                var (ok, item) = Load(position);
                lock (gate)
                {
                    results[position] = (true, ok, item);
                    Monitor.PulseAll(gate);
                }
            }
        }

        private (bool ok, TItem? item) Take(int position)
        {
            if (loader.options.NumWorkers == 0)
            {
                window.Wait();
                return Load(position);
            }
            lock (gate)
            {
                while (!results[position].ready && !stop.IsCancellationRequested) Monitor.Wait(gate, 100);
                var r = results[position];
                results[position] = default;
                return (r.ok, r.item);
            }
        }

        private void Batch()
        {
            var pending = new List<TItem>(loader.BatchSize);
            var loaded = 0;
            try
            {
                for (var position = start; position < order.Length && !stop.IsCancellationRequested; position++)
                {
                    var (ok, item) = Take(position);
                    window.Release();
                    if (!ok) continue;
                    loaded++;
                    pending.Add(item!);
                    if (pending.Count == loader.BatchSize) Emit(pending, position + 1);
                }
                if (pending.Count > 0 && !loader.options.DropLast && !stop.IsCancellationRequested) Emit(pending, order.Length);
                if (loaded == 0 && order.Length > start && firstError is not null)
                    fatal = new InvalidOperationException($"no item of the dataset could be loaded; the first error was: {firstError.Message}", firstError);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                fatal = e;
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                foreach (var item in pending) (item as IDisposable)?.Dispose();
                batches.CompleteAdding();
            }
        }

        private void Emit(List<TItem> items, int endPosition)
        {
            try
            {
                var batch = loader.collate(items);
                try
                {
                    batches.Add((batch, endPosition), stop.Token);
                }
                catch (OperationCanceledException)
                {
                    (batch as IDisposable)?.Dispose();
                    throw;
                }
            }
            finally
            {
                foreach (var item in items) (item as IDisposable)?.Dispose();
                items.Clear();
            }
        }
    }
}
