using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Bench;

/// <summary>
/// One rank of a data-parallel training benchmark (bench/distributed_bench.py starts 1 or N of them):
/// <c>workbench-bench ddp MODEL PER_RANK_BATCH STEPS</c>. Every rank runs the same fixed number of steps (a timed
/// loop would let ranks disagree on the count and wait for each other at the end); rank 0 prints one JSON line with the
/// median step time, the median time of the gradient all-reduce inside it (transfer plus waiting for the slower rank),
/// the median of the same all-reduce alone after a barrier (the transfer), and the bytes each rank sends into it.
/// Outside a process group (no RANK) it is the 1-process baseline with the same step minus the all-reduce.
/// </summary>
internal static class DistributedBenchmark
{
    public static int Run(string[] args)
    {
        var (modelName, batch, steps) = (args[1], int.Parse(args[2], CultureInfo.InvariantCulture), int.Parse(args[3], CultureInfo.InvariantCulture));
        var distributed = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("RANK"));
        if (distributed) torch.distributed.init_process_group("gloo", "env://", TimeSpan.FromMinutes(5));
        try
        {
            torch.manual_seed(0);
            var (model, x, target) = Build(modelName, batch);
            using var replica = model;
            var ddp = distributed ? new nn.parallel.DistributedDataParallel<Tensor, Tensor>(replica) : null;
            var net = (nn.Module<Tensor, Tensor>?)ddp ?? replica;
            using var optimizer = new optim.Adam(net.parameters(), lr: 1e-4);
            var stepTimes = new List<double>();
            var reduceTimes = new List<double>();
            for (var i = 0; i < steps + 3; i++) // 3 warm-up steps
            {
                var start = Stopwatch.GetTimestamp();
                using var scope = torch.NewDisposeScope();
                var loss = F.l1_loss(net.call(x), target);
                optimizer.zero_grad();
                loss.backward();
                var reduceStart = Stopwatch.GetTimestamp();
                ddp?.reduce_gradients();
                var reduce = Stopwatch.GetElapsedTime(reduceStart).TotalMilliseconds;
                optimizer.step();
                if (i < 3) continue;
                stepTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                reduceTimes.Add(reduce);
            }
            var world = distributed ? torch.distributed.get_world_size() : 1;
            // The all-reduce inside a step also waits for the slower rank's backward; this is the transfer alone:
            // after a barrier, one all-reduce of the gradients' size (one bucket, as DDP sends them).
            var transferTimes = new List<double>();
            if (ddp is not null)
            {
                using var flat = torch.zeros(replica.parameters().Sum(p => p.numel()));
                for (var i = 0; i < steps + 3; i++)
                {
                    torch.distributed.barrier();
                    var start = Stopwatch.GetTimestamp();
                    torch.distributed.all_reduce(flat);
                    if (i >= 3) transferTimes.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }
            if (!distributed || torch.distributed.get_rank() == 0)
            {
                var stepMs = Median(stepTimes);
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
                {
                    ["model"] = modelName,
                    ["processes"] = world,
                    ["threads_per_process"] = torch.get_num_threads(),
                    ["per_rank_batch"] = batch,
                    ["global_batch"] = batch * world,
                    ["steps"] = steps,
                    ["median_step_ms"] = stepMs,
                    ["median_allreduce_ms"] = Median(reduceTimes),
                    ["median_transfer_ms"] = transferTimes.Count > 0 ? Median(transferTimes) : 0.0,
                    ["gradient_bytes"] = replica.parameters().Sum(p => p.numel() * p.element_size()),
                    ["buckets"] = ddp?.bucket_count ?? 0,
                    ["images_per_s"] = batch * world / (stepMs / 1000),
                }));
            }
            x.Dispose();
            target.Dispose();
            return 0;
        }
        finally
        {
            if (distributed) torch.distributed.destroy_process_group();
        }
    }

    /// <summary>The shapes of ModelBenchmarks' training benchmarks, with the batch given per rank.</summary>
    private static (nn.Module<Tensor, Tensor> model, Tensor x, Tensor target) Build(string name, int batch) => name switch
    {
        "espcn" => (new Espcn(scale: 2), torch.rand(batch, 3, 64, 64), torch.rand(batch, 3, 128, 128)),
        "rrdbnet" => (new RrdbNet(scale: 4, num_feat: 32, num_block: 3, num_grow_ch: 32), torch.rand(batch, 3, 32, 32), torch.rand(batch, 3, 128, 128)),
        "unet_small" => (UnetSpec.Preset("small").Build(), torch.rand(batch, 3, 64, 64), torch.rand(batch, 3, 64, 64)),
        // The shipped colorizer's network at its training crop size (128²); an L1 on the logits stands in for the
        // cross-entropy (the same backward through the network, which is what the step time is made of).
        "zhang" => (new ZhangColorNet(259, 32), torch.rand(batch, 3, 128, 128), torch.rand(batch, 259, 32, 32)),
        _ => throw new ArgumentException($"unknown model '{name}' (espcn, rrdbnet, unet_small, zhang)"),
    };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
