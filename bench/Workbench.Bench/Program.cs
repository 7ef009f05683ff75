using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Workbench.Torch;

namespace Workbench.Bench;

/// <summary>
/// Runs one benchmark by name and prints one JSON line: the same schema bench/pytorch_bench.py prints.
/// Usage: workbench-bench NAME [--seconds S] [--min-steps N] | workbench-bench --list | workbench-bench ddp MODEL BATCH STEPS (DistributedBenchmark)
/// </summary>
internal static class Program
{
    private static readonly Dictionary<string, Func<Benchmark>> Registry = new()
    {
        ["matmul_2048"] = () => new MatmulBenchmark(),
        ["small_ops_x100"] = () => new SmallOpsBenchmark(),
        ["mlp_train_step"] = () => new MlpTrainStepBenchmark(),
        ["conv_lrelu_conv"] = () => new ConvLeakyConvBenchmark(),
        ["espcn_x2_train"] = ModelBenchmarks.EspcnX2Train,
        ["rrdbnet_x4_train"] = ModelBenchmarks.RrdbNetX4Train,
        ["unet_small_train"] = ModelBenchmarks.UnetSmallTrain,
        ["disc_dilation_train"] = ModelBenchmarks.DiscDilationTrain,
        ["zhang_train"] = ModelBenchmarks.ZhangTrain,
        ["zhang_train_bf16"] = ModelBenchmarks.ZhangTrainBf16,
        ["espcn_x2_infer_256"] = ModelBenchmarks.EspcnX2Infer256,
        ["unet_small_infer_256"] = ModelBenchmarks.UnetSmallInfer256,
        ["data_loader_jpeg"] = () => new DataLoaderJpegBenchmark(),
        ["deoldify_stable_rf35"] = PublishedBenchmarks.DeOldifyStableRf35,
        ["deoldify_artistic_rf35"] = PublishedBenchmarks.DeOldifyArtisticRf35,
        ["zhang_eccv16_256"] = PublishedBenchmarks.ZhangEccv16At256,
        ["rrdbnet_x4_23b_256"] = PublishedBenchmarks.RrdbNetX4At256,
        ["srvgg_compact_x4_512"] = PublishedBenchmarks.SrVggCompactX4At512,
    };

    private static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] == "--list")
        {
            foreach (var name in Registry.Keys) Console.WriteLine(name);
            return 0;
        }
        if (args[0] == "ddp") return DistributedBenchmark.Run(args);
        if (!Registry.TryGetValue(args[0], out var factory))
        {
            Console.Error.WriteLine($"unknown benchmark '{args[0]}'; known: {string.Join(", ", Registry.Keys)}");
            return 2;
        }
        var seconds = double.Parse(Option(args, "--seconds") ?? "3", CultureInfo.InvariantCulture);
        var minSteps = int.Parse(Option(args, "--min-steps") ?? "5", CultureInfo.InvariantCulture);
        torch.manual_seed(0);
        using var bench = factory();
        var setupRss = PeakRssMb(); // loading (and, for training benchmarks, the FLOP-count forward) ends here
        var times = Measure(bench, seconds, minSteps);
        times.Sort();
        var median = times[times.Count / 2];
        var peakRss = PeakRssMb(); // before FlopsPerStep, which may run a counting forward
        var result = new Dictionary<string, object?>
        {
            ["name"] = bench.Name,
            ["impl"] = "workbench",
            ["description"] = bench.Description,
            ["threads"] = torch.get_num_threads(),
            ["steps"] = times.Count,
            ["median_ms"] = median * 1e3,
            ["min_ms"] = times[0] * 1e3,
            ["gflops"] = bench.FlopsPerStep / median / 1e9,
            ["items_per_s"] = bench.ItemsPerStep / median,
            ["peak_rss_mb"] = peakRss,
            ["setup_peak_rss_mb"] = setupRss,
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    private static string? Option(string[] args, string name) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>Warm up for a quarter of the budget (one step at least), then time steps until the budget is spent and <paramref name="minSteps"/> ran.</summary>
    private static List<double> Measure(Benchmark bench, double seconds, int minSteps)
    {
        var warm = Stopwatch.StartNew();
        do bench.Step(); while (warm.Elapsed.TotalSeconds < seconds / 4);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || times.Count < minSteps)
        {
            var t = Stopwatch.GetTimestamp();
            bench.Step();
            times.Add(Stopwatch.GetElapsedTime(t).TotalSeconds);
        }
        return times;
    }

    private static double PeakRssMb()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }
}
