using System.Diagnostics;

using Workbench.Testing;

namespace Workbench.Torch.Tests.Distributed;

/// <summary>Ranks as separate processes on loopback: init_process_group through env://, a PyTorch peer, a killed peer.</summary>
public class DistributedProcessTests
{
    [Fact]
    public void TwoProcessesJoinThroughEnvAndAllReduce()
    {
        var port = Loopback.FreePort();
        var ranks = Enumerable.Range(0, 2).Select(r => Loopback.StartChild(r, 2, port, DistributedChild.AllReduceOnce, "30")).ToList();
        foreach (var p in ranks)
        {
            var (code, stdout, stderr, _) = Loopback.Finish(p, TimeSpan.FromSeconds(90));
            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("sum 3 6", stdout);
            Assert.Contains("bcast 7 8", stdout);
        }
    }

    /// <summary>
    /// Proof that this is PyTorch's engine, wire-compatible: Debian's python3-torch (same Gloo) joins the same group
    /// as one rank, the C# child as the other, through the same TCPStore, barrier and sequence-number handshake.
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void ACSharpRankAndAPyTorchRankAllReduceTogether(int csharpRank)
    {
        var port = Loopback.FreePort();
        var csharp = Loopback.StartChild(csharpRank, 2, port, DistributedChild.AllReduceOnce, "60");
        var psi = new ProcessStartInfo(PythonReference.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(PythonReference.RepoRoot, "tests", "reference", "distributed_peer.py"));
        Loopback.SetRankEnvironment(psi, 1 - csharpRank, 2, port);
        using var python = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + PythonReference.Python);
        var py = Loopback.Finish(python, TimeSpan.FromSeconds(120));
        var cs = Loopback.Finish(csharp, TimeSpan.FromSeconds(60));
        Assert.True(py.code == 0, $"python exit {py.code}\n{py.stdout}\n{py.stderr}");
        Assert.True(cs.code == 0, $"C# exit {cs.code}\n{cs.stdout}\n{cs.stderr}");
        foreach (var stdout in new[] { py.stdout, cs.stdout })
        {
            Assert.Contains("sum 3 6", stdout);
            Assert.Contains("bcast 7 8", stdout);
        }
    }

    [Fact]
    public void KillingOneRankMakesTheOtherExitNonZeroWithinTheTimeout()
    {
        var port = Loopback.FreePort();
        var timeout = TimeSpan.FromSeconds(10);
        var survivor = Loopback.StartChild(0, 2, port, DistributedChild.AllReduceForever, "10");
        var victim = Loopback.StartChild(1, 2, port, DistributedChild.AllReduceForever, "10");
        try
        {
            Assert.Equal(DistributedChild.Ready, victim.StandardOutput.ReadLine());
            Assert.Equal(DistributedChild.Ready, survivor.StandardOutput.ReadLine());
            Thread.Sleep(300); // a few all-reduces succeed first
        }
        finally
        {
            victim.Kill(entireProcessTree: true); // SIGKILL: no goodbye on the socket beyond the kernel's
            victim.WaitForExit();
        }
        var (code, _, stderr, elapsed) = Loopback.Finish(survivor, timeout + TimeSpan.FromSeconds(20));
        Assert.Equal(3, code);
        Assert.Contains("all_reduce failed on rank 0 of 2", stderr);
        Assert.True(elapsed < timeout + TimeSpan.FromSeconds(5), $"the survivor took {elapsed.TotalSeconds:0.0} s to notice");
    }
}
