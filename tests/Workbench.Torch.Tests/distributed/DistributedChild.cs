using System.Globalization;

using static Workbench.Torch.torch.distributed;

namespace Workbench.Torch.Tests.Distributed;

/// <summary>
/// A rank in its own process, started by the tests with torchrun's environment (MASTER_ADDR, MASTER_PORT, RANK,
/// WORLD_SIZE). It joins the default group through env://, as a training script would.
/// </summary>
public static class DistributedChild
{
    public const string Prefix = "dist-";

    /// <summary>All-reduces [rank+1, 2(rank+1)], prints "sum a b", then broadcasts rank 0's [7, 8] and prints "bcast a b".</summary>
    public const string AllReduceOnce = "dist-allreduce-once";

    /// <summary>Prints "ready" after joining, then all-reduces every 50 ms until something fails.</summary>
    public const string AllReduceForever = "dist-allreduce-forever";

    public const string Ready = "ready";

    public static int Run(string[] args)
    {
        var timeout = TimeSpan.FromSeconds(args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 30);
        try
        {
            init_process_group("gloo", timeout: timeout);
            var rank = get_rank();
            switch (args[0])
            {
                case AllReduceOnce:
                {
                    using var t = torch.tensor(new[] { rank + 1f, 2f * (rank + 1) });
                    all_reduce(t);
                    Console.WriteLine("sum " + string.Join(" ", t.data<float>().Select(v => v.ToString(CultureInfo.InvariantCulture))));
                    using var b = rank == 0 ? torch.tensor(new[] { 7f, 8f }) : torch.zeros(2);
                    broadcast(b, src: 0);
                    Console.WriteLine("bcast " + string.Join(" ", b.data<float>().Select(v => v.ToString(CultureInfo.InvariantCulture))));
                    barrier();
                    destroy_process_group();
                    return 0;
                }
                case AllReduceForever:
                {
                    Console.WriteLine(Ready);
                    Console.Out.Flush();
                    while (true)
                    {
                        using var t = torch.ones(1000);
                        all_reduce(t);
                        Thread.Sleep(50);
                    }
                }
                default:
                    Console.Error.WriteLine($"unknown distributed child mode: {args[0]}");
                    return 2;
            }
        }
        catch (DistributedException e)
        {
            // What a training script should do: say why, exit non-zero (a launcher then stops the other ranks).
            Console.Error.WriteLine($"error: {e.Message}");
            return 3;
        }
    }
}
