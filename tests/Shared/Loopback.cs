using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

using static Workbench.Torch.torch.distributed;

namespace Workbench.Testing;

/// <summary>Helpers for tests that run ranks on 127.0.0.1: free ports, ranks as threads, ranks as child processes.</summary>
internal static class Loopback
{
    public const string Host = "127.0.0.1";

    /// <summary>A port nobody listens on right now (the OS picks it; the test binds it a moment later).</summary>
    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    /// <summary>
    /// Runs <paramref name="body"/> once per rank, each on its own thread with its own Gloo group on loopback, all met
    /// through one TCPStore that rank 0 serves; returns each rank's result. A rank's exception fails the call.
    /// </summary>
    public static T[] RunRanks<T>(int worldSize, Func<ProcessGroupGloo, T> body, TimeSpan? timeout = null)
    {
        var t = timeout ?? TimeSpan.FromSeconds(30);
        using var master = new TCPStore(Host, 0, worldSize, is_master: true, timeout: t, wait_for_workers: false);
        var results = new T[worldSize];
        var errors = new Exception?[worldSize];
        var threads = Enumerable.Range(0, worldSize).Select(rank => new Thread(() =>
        {
            try
            {
                using var client = rank == 0 ? null : new TCPStore(Host, master.port, worldSize, timeout: t);
                using var pg = new ProcessGroupGloo(client ?? (Store)master, rank, worldSize, t, hostname: Host);
                results[rank] = body(pg);
            }
            catch (Exception e)
            {
                errors[rank] = e;
            }
        }) { IsBackground = true, Name = $"rank {rank}" }).ToList();
        threads.ForEach(th => th.Start());
        // t bounds each collective (a rank that waits on a dead peer throws); the whole body may take minutes on 2 busy
        // cores (20 U-Net steps on both ranks timed out at 60 s beside another test run), so the join only guards a hang.
        foreach (var th in threads)
            if (!th.Join(TimeSpan.FromMinutes(10))) throw new TimeoutException($"{th.Name} did not finish in 10 minutes");
        var failed = errors.Select((e, r) => (e, r)).Where(x => x.e is not null).ToList();
        if (failed.Count > 0) throw new AggregateException(failed.Select(x => new Exception($"rank {x.r}: {x.e!.Message}", x.e)));
        return results;
    }

    /// <summary>Starts the calling test assembly as a child rank (its entry point handles <paramref name="args"/>), with torchrun's variables.</summary>
    public static Process StartChild(int rank, int worldSize, int port, params string[] args)
    {
        var psi = new ProcessStartInfo(DotnetHost()) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(typeof(Loopback).Assembly.Location);
        foreach (var a in args) psi.ArgumentList.Add(a);
        SetRankEnvironment(psi, rank, worldSize, port);
        return Process.Start(psi) ?? throw new InvalidOperationException("cannot start a child rank");
    }

    public static void SetRankEnvironment(ProcessStartInfo psi, int rank, int worldSize, int port)
    {
        psi.Environment["MASTER_ADDR"] = Host;
        psi.Environment["MASTER_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["LOCAL_RANK"] = rank.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["WORLD_SIZE"] = worldSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        psi.Environment["GLOO_SOCKET_IFNAME"] = "lo"; // loopback only, whatever the hostname resolves to
        psi.Environment["WORKBENCH_NUM_THREADS"] = "1";
        psi.Environment["OMP_NUM_THREADS"] = "1";
    }

    /// <summary>Waits for a child and returns (exit code, stdout, stderr); kills it if it outlives <paramref name="limit"/>.</summary>
    public static (int code, string stdout, string stderr, TimeSpan elapsed) Finish(Process p, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(limit))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"child rank still running after {limit.TotalSeconds} s (a hang); stdout: {stdout.Result}\nstderr: {stderr.Result}");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result, watch.Elapsed);
    }

    public static string DotnetHost() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p
        : "dotnet";
}
