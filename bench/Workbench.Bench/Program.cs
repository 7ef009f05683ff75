using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

using Workbench.Torch;

namespace Workbench.Bench;

/// <summary>
/// Runs one benchmark by name and prints one JSON line: the same schema bench/pytorch_bench.py prints.
/// Usage: workbench-bench NAME [--seconds S] | workbench-bench --list | workbench-bench ddp MODEL BATCH STEPS (DistributedBenchmark)
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
        var seconds = args.Length > 2 && args[1] == "--seconds" ? double.Parse(args[2], CultureInfo.InvariantCulture) : 3.0;
        torch.manual_seed(0);
        using var bench = factory();
        var times = Measure(bench, seconds);
        times.Sort();
        var median = times[times.Count / 2];
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
            ["peak_rss_mb"] = PeakRssMb(),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    /// <summary>Warm up for a quarter of the budget, then time individual steps until the budget is spent.</summary>
    private static List<double> Measure(Benchmark bench, double seconds)
    {
        var warm = Stopwatch.StartNew();
        do bench.Step(); while (warm.Elapsed.TotalSeconds < seconds / 4);
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || times.Count < 5)
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
