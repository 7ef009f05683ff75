using Workbench.Data;

namespace Workbench.Tests.Data;

public class DistributedSamplerTests
{
    private static int[][] Shards(int count, int replicas, int epoch, bool shuffle = true, bool dropLast = false, int seed = 0) =>
        Enumerable.Range(0, replicas).Select(r => new DistributedSampler(count, replicas, r, shuffle, seed, dropLast).Indices(epoch)).ToArray();

    [Theory]
    [InlineData(12, 2)]
    [InlineData(12, 3)]
    [InlineData(1000, 4)]
    public void ShardsCoverTheDatasetOncePerEpochWithoutOverlap(int count, int replicas)
    {
        for (var epoch = 0; epoch < 3; epoch++)
        {
            var shards = Shards(count, replicas, epoch);
            Assert.All(shards, s => Assert.Equal(count / replicas, s.Length));
            var all = shards.SelectMany(s => s).ToList();
            Assert.Equal(count, all.Distinct().Count());
            Assert.Equal(Enumerable.Range(0, count), all.Order());
        }
    }

    [Fact]
    public void EachEpochHasItsOwnOrderAndTheSameEpochTheSameOrder()
    {
        Assert.NotEqual(Shards(100, 2, 0)[0], Shards(100, 2, 1)[0]);
        Assert.Equal(Shards(100, 2, 5)[1], Shards(100, 2, 5)[1]);
        var sampler = new DistributedSampler(100, 2, 1);
        sampler.set_epoch(5);
        Assert.Equal(Shards(100, 2, 5)[1], sampler.GetIndices());
        Assert.NotEqual(Shards(100, 2, 0, seed: 1)[0], Shards(100, 2, 0, seed: 2)[0]);
    }

    [Fact]
    public void UnevenDatasetsArePaddedFromTheStartAsPyTorchDoes()
    {
        // 10 items over 3 ranks: 4 each, positions 10 and 11 repeat positions 0 and 1 (PyTorch's padding).
        var shards = Shards(10, 3, 0, shuffle: false);
        Assert.Equal(new[] { 0, 3, 6, 9 }, shards[0]);
        Assert.Equal(new[] { 1, 4, 7, 0 }, shards[1]);
        Assert.Equal(new[] { 2, 5, 8, 1 }, shards[2]);
        // More padding than items (2 items, 5 ranks): the order repeats as often as needed.
        Assert.Equal(new[] { 0, 1, 0, 1, 0 }, Shards(2, 5, 0, shuffle: false).Select(s => s.Single()));
    }

    [Fact]
    public void DropLastTrimsTheTailInstead()
    {
        var shards = Shards(10, 3, 0, shuffle: false, dropLast: true);
        Assert.Equal(new[] { 0, 3, 6 }, shards[0]);
        Assert.Equal(new[] { 2, 5, 8 }, shards[2]);
        var shuffled = Shards(10, 3, 4, dropLast: true).SelectMany(s => s).ToList();
        Assert.Equal(9, shuffled.Distinct().Count());
    }

    [Fact]
    public void ABadRankIsRefused() =>
        Assert.Contains("Invalid rank 2", Assert.Throws<ArgumentException>(() => new DistributedSampler(10, 2, 2)).Message);

    [Fact]
    public void TheDataLoaderReadsOnlyThisRanksShardEachEpoch()
    {
        var data = Dataset.FromList(Enumerable.Range(0, 20).ToList());
        var seen = new List<int>();
        for (var rank = 0; rank < 2; rank++)
        {
            var sampler = new DistributedSampler(20, 2, rank, seed: 3);
            var loader = new DataLoader<int, int[]>(data, 3, items => items.ToArray(), new DataLoaderOptions { Sampler = sampler, NumWorkers = 2 });
            Assert.Equal(4, loader.BatchesPerEpoch);
            var epoch0 = loader.SelectMany(b => b).ToList();
            Assert.Equal(sampler.Indices(0), epoch0);
            Assert.Equal(sampler.Indices(1), loader.SelectMany(b => b).ToList());
            seen.AddRange(epoch0);
        }
        Assert.Equal(Enumerable.Range(0, 20), seen.Order());
        Assert.Throws<ArgumentException>(() => new DataLoader<int, int[]>(data, 3, items => items.ToArray(),
            new DataLoaderOptions { Sampler = new DistributedSampler(20, 2, 0), Shuffle = true }));
    }
}
