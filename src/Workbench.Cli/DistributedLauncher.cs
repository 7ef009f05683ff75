using System.CommandLine;
using System.Diagnostics;
using System.Globalization;

using Workbench.Torch;

namespace Workbench.Cli;

/// <summary>
/// torchrun for workbench commands: <c>--nproc-per-node N</c> starts N workers of the same command on this machine,
/// each with torchrun's environment (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE); several
/// machines run the same command with <c>--nnodes</c>, their own <c>--node-rank</c> and node 0's address. A worker (RANK
/// set) joins the default process group through env:// before the command runs. When a worker fails, the launcher stops
/// the others and exits with that worker's code, naming it, as torchrun does.
/// </summary>
internal static class DistributedLauncher
{
    public static readonly Option<int> NprocPerNode = new("--nproc-per-node") { Description = "Worker processes on this machine (data-parallel ranks); 1 = no distribution", DefaultValueFactory = _ => 1 };
    public static readonly Option<int> Nnodes = new("--nnodes") { Description = "Machines taking part", DefaultValueFactory = _ => 1 };
    public static readonly Option<int> NodeRank = new("--node-rank") { Description = "This machine's index, 0 .. nnodes-1 (node 0 hosts the rendezvous)", DefaultValueFactory = _ => 0 };
    public static readonly Option<string> MasterAddr = new("--master-addr") { Description = "Node 0's address, reachable from every node", DefaultValueFactory = _ => "127.0.0.1" };
    public static readonly Option<int> MasterPort = new("--master-port") { Description = "A free TCP port on node 0 for the rendezvous store", DefaultValueFactory = _ => 29500 };
    public static readonly Option<double> DistTimeout = new("--dist-timeout") { Description = "Seconds a rank waits for the others (rendezvous and each all-reduce) before failing", DefaultValueFactory = _ => 1800 };

    public static void AddOptions(Command command)
    {
        foreach (var option in new Option[] { NprocPerNode, Nnodes, NodeRank, MasterAddr, MasterPort, DistTimeout }) command.Options.Add(option);
    }

    /// <summary>True in a worker that a launcher started (or torchrun, or a user who set RANK by hand).</summary>
    public static bool IsWorker => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("RANK"));

    /// <summary>
    /// Runs <paramref name="body"/> as this process's part of the job: as a plain process when not distributed, as a
    /// worker inside the default group when RANK is set, or as the launcher of this node's workers.
    /// </summary>
    public static int Run(ParseResult parse, Func<int> body)
    {
        var nproc = parse.GetValue(NprocPerNode);
        var nnodes = parse.GetValue(Nnodes);
        var timeout = TimeSpan.FromSeconds(parse.GetValue(DistTimeout));
        if (IsWorker)
        {
            torch.distributed.init_process_group("gloo", "env://", timeout);
            if (torch.distributed.gloo_device_note is { } note) Console.Error.WriteLine($"rank {Environment.GetEnvironmentVariable("RANK")}: {note}");
            try
            {
                return body();
            }
            finally
            {
                torch.distributed.destroy_process_group();
            }
        }
        if (nproc < 1 || nnodes < 1) throw new UsageException("--nproc-per-node and --nnodes must be at least 1");
        if (nproc * nnodes == 1) return body();
        return Launch(parse, nproc, nnodes);
    }

    private static int Launch(ParseResult parse, int nproc, int nnodes)
    {
        var nodeRank = parse.GetValue(NodeRank);
        if (nodeRank < 0 || nodeRank >= nnodes) throw new UsageException($"--node-rank {nodeRank} is outside 0..{nnodes - 1}");
        var world = nproc * nnodes;
        var workers = new List<(int rank, Process process)>();
        try
        {
            for (var local = 0; local < nproc; local++)
            {
                var rank = nodeRank * nproc + local;
                workers.Add((rank, Start(rank, local, nproc, world, parse)));
            }
            Console.Error.WriteLine($"launched ranks {workers[0].rank}..{workers[^1].rank} of {world} (rendezvous {parse.GetValue(MasterAddr)}:{parse.GetValue(MasterPort)})");
            // The first worker to fail decides the exit code; the others are stopped, as torchrun stops them.
            var pending = workers.ToList();
            while (pending.Count > 0)
            {
                foreach (var (rank, p) in pending.ToList())
                {
                    if (!p.HasExited) continue;
                    pending.RemoveAll(w => w.rank == rank);
                    if (p.ExitCode != 0)
                    {
                        Console.Error.WriteLine($"error: rank {rank} (pid {p.Id}) exited with code {p.ExitCode}; stopping the other workers");
                        return p.ExitCode;
                    }
                }
                Thread.Sleep(100);
            }
            return 0;
        }
        finally
        {
            foreach (var (_, p) in workers)
            {
                if (!p.HasExited) p.Kill(entireProcessTree: true);
                p.WaitForExit();
                p.Dispose();
            }
        }
    }

    /// <summary>The same command line in a new process, with torchrun's variables; output goes to this console.</summary>
    private static Process Start(int rank, int localRank, int localWorldSize, int worldSize, ParseResult parse)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which executable to start");
        var psi = new ProcessStartInfo(host) { UseShellExecute = false };
        // Under `dotnet workbench-cli.dll` the host is dotnet and the first argument the assembly.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") psi.ArgumentList.Add(typeof(DistributedLauncher).Assembly.Location);
        foreach (var a in Environment.GetCommandLineArgs().Skip(1)) psi.ArgumentList.Add(a);
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        psi.Environment["MASTER_ADDR"] = parse.GetValue(MasterAddr);
        psi.Environment["MASTER_PORT"] = I(parse.GetValue(MasterPort));
        psi.Environment["RANK"] = I(rank);
        psi.Environment["LOCAL_RANK"] = I(localRank);
        psi.Environment["WORLD_SIZE"] = I(worldSize);
        psi.Environment["LOCAL_WORLD_SIZE"] = I(localWorldSize);
        return Process.Start(psi) ?? throw new InvalidOperationException($"cannot start rank {rank}");
    }
}
