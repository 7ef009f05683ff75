using Workbench.Testing;

using static Workbench.Torch.torch.distributed;

namespace Workbench.Torch.Tests.Distributed;

/// <summary>Collectives between ranks running as threads of this process, each with its own Gloo group on loopback.</summary>
public class ProcessGroupGlooTests
{
    private static float[] AllReduce(ReduceOp op, int worldSize = 2) =>
        Loopback.RunRanks(worldSize, pg =>
        {
            // rank r holds [r+1, 10-r, -(r+1)]
            using var t = torch.tensor(new[] { pg.rank() + 1f, 10f - pg.rank(), -(pg.rank() + 1f) });
            pg.allreduce(t, op);
            return t.data<float>();
        }).Aggregate((a, b) => a.SequenceEqual(b) ? a : throw new Xunit.Sdk.XunitException("ranks disagree"));

    [Fact]
    public void AllReduceSumsOnEveryRank() => Assert.Equal(new[] { 3f, 19f, -3f }, AllReduce(ReduceOp.SUM));

    [Fact]
    public void AllReduceAveragesThroughSum() => Assert.Equal(new[] { 1.5f, 9.5f, -1.5f }, AllReduce(ReduceOp.AVG));

    [Fact]
    public void AllReduceMaxAndMin()
    {
        Assert.Equal(new[] { 2f, 10f, -1f }, AllReduce(ReduceOp.MAX));
        Assert.Equal(new[] { 1f, 9f, -2f }, AllReduce(ReduceOp.MIN));
    }

    [Fact]
    public void ThreeRanksSumTheirTensors() => Assert.Equal(new[] { 6f, 27f, -6f }, AllReduce(ReduceOp.SUM, 3));

    [Fact]
    public void BroadcastCopiesTheRootsTensorsEverywhere()
    {
        var results = Loopback.RunRanks(2, pg =>
        {
            using var a = torch.full(new long[] { 2, 3 }, pg.rank() * 10.0);
            using var b = torch.arange(4, torch.int64).add(pg.rank() * 100);
            pg.broadcast(a, root: 1);
            pg.broadcast(b, root: 1);
            return (a.data<float>(), b.data<long>());
        });
        foreach (var (a, b) in results)
        {
            Assert.All(a, v => Assert.Equal(10f, v));
            Assert.Equal(new long[] { 100, 101, 102, 103 }, b);
        }
    }

    [Fact]
    public void AllGatherCollectsEveryRanksTensorInRankOrder()
    {
        var results = Loopback.RunRanks(2, pg =>
        {
            using var mine = torch.full(new long[] { 3 }, pg.rank() + 1.0);
            var outputs = new[] { torch.zeros(3), torch.zeros(3) };
            pg.allgather(outputs, mine);
            var values = outputs.SelectMany(o => o.data<float>()).ToArray();
            foreach (var o in outputs) o.Dispose();
            return values;
        });
        foreach (var r in results) Assert.Equal(new[] { 1f, 1f, 1f, 2f, 2f, 2f }, r);
    }

    [Fact]
    public void BarrierWaitsForTheSlowestRank()
    {
        // An ordering, not a duration (no timed assertions): rank 0 leaves only after the late rank 1 has arrived.
        var arrived = new DateTime[2];
        var left = Loopback.RunRanks(2, pg =>
        {
            if (pg.rank() == 1) Thread.Sleep(500);
            arrived[pg.rank()] = DateTime.UtcNow;
            pg.barrier();
            return DateTime.UtcNow;
        });
        Assert.True(left[0] >= arrived[1], $"rank 0 left the barrier at {left[0]:HH:mm:ss.fff}, before rank 1 arrived at {arrived[1]:HH:mm:ss.fff}");
    }

    [Fact]
    public void ARankThatNeverJoinsTheCollectiveTimesOutWithAClearError()
    {
        var timeout = TimeSpan.FromSeconds(2);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = Assert.Throws<AggregateException>(() => Loopback.RunRanks(2, pg =>
        {
            using var t = torch.ones(4);
            if (pg.rank() == 0) pg.allreduce(t); // rank 1 never calls it
            else Thread.Sleep(timeout * 2);
            return 0;
        }, timeout));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        var message = error.InnerExceptions.Single().Message;
        Assert.Contains("all_reduce failed on rank 0 of 2", message);
        Assert.Contains("imed out", message);
    }

    [Fact]
    public void AClientWithNoMasterGivesUpWithinItsTimeout()
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DistributedException>(() => new TCPStore(Loopback.Host, Loopback.FreePort(), 2, is_master: false, timeout: TimeSpan.FromSeconds(2)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(15), $"took {watch.Elapsed}");
        Assert.Contains("could not reach the TCPStore at 127.0.0.1:", e.Message);
    }

    [Fact]
    public void StoresShareKeysThroughTheMasterAndPrefixesSeparateThem()
    {
        using var master = new TCPStore(Loopback.Host, 0, 2, is_master: true, timeout: TimeSpan.FromSeconds(10), wait_for_workers: false);
        using var client = new TCPStore(Loopback.Host, master.port, 2, timeout: TimeSpan.FromSeconds(10));
        using var prefixed = new PrefixStore("p", client);
        client.set("k", "v");
        prefixed.set("k", "w");
        Assert.Equal("v", System.Text.Encoding.UTF8.GetString(master.get("k")));
        Assert.Equal("w", System.Text.Encoding.UTF8.GetString(master.get("p/k")));
        Assert.Equal(3, master.add("n", 3));
        Assert.Equal(5, client.add("n", 2));
        Assert.True(master.check("n"));
        Assert.False(master.check("missing"));
        var e = Assert.Throws<DistributedException>(() => client.wait(new[] { "missing" }, TimeSpan.FromMilliseconds(300)));
        Assert.Contains("wait('missing')", e.Message);
    }

    [Fact]
    public async Task FileStoreRendezvousWorksAcrossThreads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"wb-filestore-{Guid.NewGuid():N}");
        try
        {
            var sums = Enumerable.Range(0, 2).Select(rank => Task.Run(() =>
            {
                using var store = new FileStore(path, 2);
                using var pg = new ProcessGroupGloo(store, rank, 2, TimeSpan.FromSeconds(20), hostname: Loopback.Host);
                using var t = torch.tensor(new[] { rank + 1.0 });
                pg.allreduce(t);
                return t.item<double>();
            })).ToArray();
            var results = await Task.WhenAll(sums).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.All(results, s => Assert.Equal(3.0, s));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
