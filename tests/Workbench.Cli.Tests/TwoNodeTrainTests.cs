using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;

using Workbench.Testing;

namespace Workbench.Cli.Tests;

/// <summary>
/// <c>train sr --nnodes 2</c> across two real hosts: two network namespaces joined by a veth pair (10.77.0.1 and
/// 10.77.0.2), no GLOO_SOCKET_IFNAME, hostnames that resolve to 127.0.0.1. A run completes; a cut link and a killed
/// rank stop every surviving rank within --dist-timeout, naming the peer; the run resumes from its last checkpoint.
/// Only addresses inside the namespaces this test made are used, and the namespaces are removed whatever happens.
/// </summary>
[Collection(SequentialCollection.Name)]
public sealed class TwoNodeTrainTests : IDisposable
{
    private const int TimeoutSeconds = 15;
    private static readonly string[] Addresses = ["10.77.0.1", "10.77.0.2"];

    private readonly TwoNamespaces net = new();
    private readonly string runs = Path.Combine(Path.GetTempPath(), $"wb-2node-{Guid.NewGuid():N}");

    public void Dispose()
    {
        net.Dispose();
        if (Directory.Exists(runs)) Directory.Delete(runs, recursive: true);
    }

    [NamespacesFact]
    public void TrainsAcrossTwoHostsStopsOnALostPeerWithinTheTimeoutAndResumes()
    {
        // A short run to completion: rank 1 says which interface it chose.
        var done = RunBoth("complete", Loopback.FreePort(), ["pretrainIterations=6", "checkpointEvery=3"]);
        Assert.All(done, r => Assert.True(r.ExitCode == 0, r.Output));
        Assert.Contains("Gloo: using interface", done[1].Output);
        Assert.True(File.Exists(Path.Combine(runs, "complete", "generator.safetensors")));

        // The link is cut mid-run: both ranks stop within the timeout, each naming the other.
        var cut = RunBoth("faults", Loopback.FreePort(), ["pretrainIterations=100000", "checkpointEvery=5"], afterFirstCheckpoint: () => net.SetLink(up: false));
        foreach (var (r, peer) in cut.Zip(new[] { "rank 1 at 10.77.0.2", "rank 0 at 10.77.0.1" }))
        {
            Assert.NotEqual(0, r.ExitCode);
            Assert.Contains("a peer rank is stuck, too slow or unreachable", r.Output);
            Assert.Contains(peer, r.Output);
            Assert.True(r.SecondsAfterFault < TimeoutSeconds + 15, $"stopped {r.SecondsAfterFault:0.0} s after the cut\n{r.Output}");
        }

        // Resume from the last checkpoint over the restored link, for 10 more steps.
        net.SetLink(up: true);
        var last = Directory.EnumerateFiles(Path.Combine(runs, "faults", "checkpoints"), "step_*.safetensors")
            .Max(f => long.Parse(Path.GetFileNameWithoutExtension(f)["step_".Length..], CultureInfo.InvariantCulture));
        var resumed = RunBoth("faults", Loopback.FreePort(), [$"pretrainIterations={last + 10}"], resume: true);
        Assert.All(resumed, r => Assert.True(r.ExitCode == 0, r.Output));
        var summary = JsonNode.Parse(File.ReadAllText(Path.Combine(runs, "faults", "summary.json")))!;
        Assert.Equal(last, summary["resumed_from_step"]!.GetValue<long>());
        Assert.Equal(last + 10, summary["steps"]!.GetValue<long>());

        // Rank 1's node dies: rank 0 stops at once and names it.
        var killed = RunBoth("killed", Loopback.FreePort(), ["pretrainIterations=100000", "checkpointEvery=5"], killNodeOne: true);
        Assert.NotEqual(0, killed[0].ExitCode);
        Assert.Contains("lost peer: rank 1 (10.77.0.2)", killed[0].Output);
        Assert.True(killed[0].SecondsAfterFault < TimeoutSeconds + 15, $"stopped {killed[0].SecondsAfterFault:0.0} s after the kill\n{killed[0].Output}");
    }

    private sealed record NodeResult(int ExitCode, string Output, double SecondsAfterFault);

    /// <summary>
    /// Node 0 and node 1 of one run, each in its namespace; <paramref name="afterFirstCheckpoint"/> (or killing node 1)
    /// happens once the run has written a checkpoint, and each result says how long after that its node stopped.
    /// </summary>
    private NodeResult[] RunBoth(string run, int port, string[] settings, Action? afterFirstCheckpoint = null, bool resume = false, bool killNodeOne = false)
    {
        var images = Path.Combine(PythonReference.RepoRoot, "test_images");
        var nodes = new Process[2];
        var outputs = new System.Text.StringBuilder[] { new(), new() };
        try
        {
            for (var node = 0; node < 2; node++)
            {
                var args = new List<string>
                {
                    "train", "sr", "--run", run, "--nnodes", "2", "--node-rank", node.ToString(CultureInfo.InvariantCulture),
                    "--master-addr", Addresses[0], "--master-port", port.ToString(CultureInfo.InvariantCulture),
                    "--dist-timeout", TimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                };
                if (resume) args.Add("--resume");
                args.AddRange(["--set", $"runsDir={runs}", $"trainDir={images}", $"testDir={images}", "cropSize=32", "batchSize=1", "validateEvery=100000",
                    "validationCrop=48", "channels=8", .. settings]);
                nodes[node] = net.Start(node, args, outputs[node]);
            }
            double faultAt = double.NaN;
            var clock = Stopwatch.StartNew();
            if (afterFirstCheckpoint is not null || killNodeOne)
            {
                var checkpoints = Path.Combine(runs, run, "checkpoints");
                while (!(Directory.Exists(checkpoints) && Directory.EnumerateFiles(checkpoints, "step_*").Any()))
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2) && !nodes.Any(n => n.HasExited), $"no checkpoint\n{outputs[0]}\n{outputs[1]}");
                    Thread.Sleep(100);
                }
                faultAt = clock.Elapsed.TotalSeconds;
                afterFirstCheckpoint?.Invoke();
                if (killNodeOne) nodes[1].Kill(entireProcessTree: true);
            }
            var stopped = new double[2];
            for (var node = 0; node < 2; node++)
            {
                Assert.True(nodes[node].WaitForExit(TimeSpan.FromMinutes(3)), $"node {node} did not stop\n{outputs[node]}");
                nodes[node].WaitForExit(); // the output pumps
                stopped[node] = clock.Elapsed.TotalSeconds;
            }
            return [.. Enumerable.Range(0, 2).Select(n => new NodeResult(nodes[n].ExitCode, outputs[n].ToString(), stopped[n] - faultAt))];
        }
        finally
        {
            foreach (var p in nodes.Where(p => p is not null))
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }
}

/// <summary>Two network namespaces joined by a veth pair, removed on Dispose (deleting a namespace deletes its end of the pair).</summary>
internal sealed class TwoNamespaces : IDisposable
{
    private readonly string[] names;
    private readonly string[] links;

    public TwoNamespaces()
    {
        var id = Environment.ProcessId % 100000;
        names = [$"wb{id}a", $"wb{id}b"];
        links = [$"wbv{id}a", $"wbv{id}b"];
        if (!NamespacesFactAttribute.Available) return;
        try
        {
            Ip("netns", "add", names[0]);
            Ip("netns", "add", names[1]);
            Ip("link", "add", links[0], "type", "veth", "peer", "name", links[1]);
            for (var i = 0; i < 2; i++)
            {
                Ip("link", "set", links[i], "netns", names[i]);
                Ip("-n", names[i], "addr", "add", $"10.77.0.{i + 1}/24", "dev", links[i]);
                Ip("-n", names[i], "link", "set", "lo", "up");
                Ip("-n", names[i], "link", "set", links[i], "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Brings node 0's end of the link down (a cut cable) or up again.</summary>
    public void SetLink(bool up) => Ip("-n", names[0], "link", "set", links[0], up ? "up" : "down");

    /// <summary>The CLI in node <paramref name="node"/>'s namespace, without GLOO_SOCKET_IFNAME; both streams go to <paramref name="output"/>.</summary>
    public Process Start(int node, IEnumerable<string> cliArgs, System.Text.StringBuilder output)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        foreach (var a in new[] { "netns", "exec", names[node], "dotnet", Path.Combine(AppContext.BaseDirectory, "workbench-cli.dll") }.Concat(cliArgs))
            start.ArgumentList.Add(a);
        start.Environment.Remove("GLOO_SOCKET_IFNAME");
        var p = new Process { StartInfo = start };
        p.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public void Dispose()
    {
        foreach (var name in names) Ip(throwOnError: false, "netns", "del", name);
    }

    private static void Ip(params string[] args) => Ip(throwOnError: true, args);

    internal static bool Ip(bool throwOnError, params string[] args)
    {
        var start = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var error = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && throwOnError) throw new InvalidOperationException($"ip {string.Join(' ', args)}: {error.Trim()}");
        return p.ExitCode == 0;
    }
}

/// <summary>A fact that is skipped, with the reason, where this machine cannot create network namespaces (not root, no iproute2).</summary>
internal sealed class NamespacesFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        var probe = $"wbprobe{Environment.ProcessId % 100000}";
        try
        {
            if (!TwoNamespaces.Ip(throwOnError: false, "netns", "add", probe)) return "network namespaces cannot be created here (needs root and iproute2's `ip netns`)";
            TwoNamespaces.Ip(throwOnError: false, "netns", "del", probe);
            return null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "the `ip` command (iproute2) is not installed";
        }
    });

    public static bool Available => Unavailable.Value is null;

    public NamespacesFactAttribute()
    {
        if (Unavailable.Value is { } reason) Skip = reason;
    }
}
