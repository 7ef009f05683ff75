using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public class DataLoaderTests
{
    /// <summary>Items are their indices; indices divisible by 7 are "corrupt files".</summary>
    private sealed class FlakyDataset(int count) : IDataset<int>
    {
        public int Count => count;

        public int Get(int index, Random random) =>
            index % 7 == 3 ? throw new InvalidDataException($"item{index}.png: truncated file") : index;
    }

    private static DataLoader<int, int[]> Loader(IDataset<int> data, int batch, DataLoaderOptions options) =>
        new(data, batch, items => items.ToArray(), options);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void YieldsEveryGoodItemExactlyOncePerEpochAndSkipsBadOnes(int workers)
    {
        var log = new List<string>();
        var loader = Loader(new FlakyDataset(100), 8, new DataLoaderOptions { Shuffle = true, Seed = 1, NumWorkers = workers, Log = m => { lock (log) log.Add(m); } });
        var good = Enumerable.Range(0, 100).Where(i => i % 7 != 3).ToHashSet();
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var batches = loader.ToList();
            var seen = batches.SelectMany(b => b).ToList();
            Assert.Equal(good.Count, seen.Count);
            Assert.True(good.SetEquals(seen));
            Assert.All(batches.SkipLast(1), b => Assert.Equal(8, b.Length));
        }
        Assert.Equal(100 - good.Count, log.Count); // each bad item reported once, not once per epoch
        Assert.Contains(log, m => m.Contains("item3.png: truncated file", StringComparison.Ordinal));
    }

    [Fact]
    public void WorkersRunSingleThreadedOpsAndLeaveTheCallersThreadCountAlone()
    {
        var before = torch.get_num_threads();
        var seen = Loader(Dataset.FromList(Enumerable.Range(0, 8).ToList()).Select((i, _) => torch.get_num_threads()), 4,
            new DataLoaderOptions { NumWorkers = 2 }).SelectMany(b => b).ToList();
        Assert.Equal(8, seen.Count);
        Assert.All(seen, n => Assert.Equal(1, n)); // as in PyTorch's worker processes
        Assert.Equal(before, torch.get_num_threads());
    }

    [Fact]
    public void ShuffleIsSeededPerEpochAndIndependentOfWorkerCount()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 50).ToList()).Select((i, rng) => i * 1000 + rng.Next(1000));
        List<int> Epochs(int workers, int seed)
        {
            var loader = Loader(data, 5, new DataLoaderOptions { Shuffle = true, Seed = seed, NumWorkers = workers });
            return loader.SelectMany(b => b).Concat(loader.SelectMany(b => b)).ToList();
        }
        var serial = Epochs(0, 42);
        Assert.Equal(serial, Epochs(2, 42));
        Assert.Equal(serial, Epochs(4, 42));
        Assert.NotEqual(serial, Epochs(2, 43));
        Assert.NotEqual(serial.Take(50), serial.Skip(50)); // a new order every epoch
    }

    [Fact]
    public void OrderIsTheSameInEveryProcess()
    {
        // Pinned values: a per-process randomized hash would change them from run to run.
        var loader = new DataLoader<int, int[]>(Dataset.FromList(Enumerable.Range(0, 8).ToList()), 8, items => items.ToArray(), new DataLoaderOptions { Shuffle = true, Seed = 3, NumWorkers = 0 });
        Assert.Equal(new[] { PinnedOrder }, loader.Select(b => string.Join(",", b)));
    }

    private const string PinnedOrder = "5,0,3,2,7,4,1,6";

    [Fact]
    public void DropLastKeepsOnlyFullBatches()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 10).ToList());
        Assert.Equal(new[] { 4, 4 }, Loader(data, 4, new DataLoaderOptions { DropLast = true }).Select(b => b.Length));
        Assert.Equal(new[] { 4, 4, 2 }, Loader(data, 4, new DataLoaderOptions()).Select(b => b.Length));
    }

    [Fact]
    public void AnEpochWhereNothingLoadsFailsWithTheFirstError()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 5).ToList()).Select<int, int>(i => throw new InvalidDataException("not an image"));
        var e = Assert.Throws<InvalidOperationException>(() => Loader(data, 2, new DataLoaderOptions { Log = _ => { } }).ToList());
        Assert.Contains("not an image", e.Message);
    }

    [Fact]
    public void BreakingEarlyStopsWorkersAndDisposesPrefetchedTensors()
    {
        var created = new List<Tensor>();
        var data = Dataset.FromList(Enumerable.Range(0, 200).ToList()).Select(i =>
        {
            var t = torch.full(new long[] { 3, 4, 4 }, i);
            lock (created) created.Add(t);
            return t;
        });
        var loader = DataLoader.Create(data, 4, new DataLoaderOptions { NumWorkers = 2 });
        foreach (var batch in loader)
        {
            Assert.Equal(new long[] { 4, 3, 4, 4 }, batch.shape);
            batch.Dispose();
            break;
        }
        lock (created) Assert.All(created, t => Assert.True(t.IsDisposed));
        Assert.True(created.Count < 200, "workers must stop once the consumer leaves");
    }

    [Fact]
    public void StacksPairsIntoBatches()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 6).ToList()).Select(i => new ImagePair(torch.zeros(3, 8, 8), torch.ones(3, 16, 16)));
        var batches = DataLoader.Create(data, 4).ToList();
        Assert.Equal(new long[] { 4, 3, 8, 8 }, batches[0].Input.shape);
        Assert.Equal(new long[] { 2, 3, 16, 16 }, batches[1].Target.shape);
        foreach (var b in batches) b.Dispose();
    }
}

public class DataLoaderResumeTests
{
    [Fact]
    public void IteratingFromAPositionContinuesTheSameEpoch()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 40).ToList()).Select(i => i % 9 == 4 ? throw new InvalidDataException("bad") : i);
        var loader = new DataLoader<int, int[]>(data, 4, items => items.ToArray(), new DataLoaderOptions { Shuffle = true, Seed = 5, NumWorkers = 2, Log = _ => { } });
        var full = loader.Iterate(3, 0).ToList();
        var resumeAt = full[2].EndPosition;
        var resumed = loader.Iterate(3, resumeAt).Select(b => b.Batch).ToList();
        Assert.Equal(full.Skip(3).Select(b => b.Batch), resumed);
        Assert.Equal(36, full.Sum(b => b.Batch.Length)); // 4 of the 40 items are bad
        Assert.True(full[^1].EndPosition >= 39);
    }
}
