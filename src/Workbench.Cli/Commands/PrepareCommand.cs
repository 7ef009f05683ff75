using System.CommandLine;
using System.Text.Json;

using Spectre.Console;

using Workbench.Data;
using Workbench.Data.Degradations;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench prepare INPUT OUTPUT</c>: cut a folder of photos into training crops (DatasetPreparation).</summary>
internal static class PrepareCommand
{
    private static readonly Argument<string> Input = new("input") { Description = "Folder of photos (searched recursively)" };
    private static readonly Argument<string> Output = new("output") { Description = "Folder for the numbered PNG crops (1000 per subfolder) and the manifest" };
    private static readonly Option<int> Size = new("--size", "-s") { Description = "Crop side in pixels", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> CropsPerScale = new("--crops-per-scale", "-n") { Description = "Random crops per scale", DefaultValueFactory = _ => 4 };
    private static readonly Option<bool> Grid = new("--grid") { Description = "Cut each scale into non-overlapping tiles instead of random crops" };
    private static readonly Option<int> MaxScales = new("--max-scales") { Description = "At most this many scales (1, 1/2, 1/4, ...)", DefaultValueFactory = _ => 8 };
    private static readonly Option<double?> PriorDownscale = new("--prior-downscale-above-mp")
    {
        Description = "Halve photos larger than this many megapixels first (noisy phone photos); 0 halves all",
    };
    private static readonly Option<string> Kernel = new("--kernel") { Description = "Kernel for the smaller scales: area, bicubic, bilinear, nearest", DefaultValueFactory = _ => "area" };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed for the crop positions", DefaultValueFactory = _ => 0 };
    private static readonly Option<int> Jobs = new("--jobs", "-j") { Description = "Photos processed in parallel", DefaultValueFactory = _ => Environment.ProcessorCount };
    private static readonly Option<int> PngLevel = new("--png-level") { Description = "zlib level 0..9 of the PNG crops", DefaultValueFactory = _ => 6 };
    private static readonly Option<string> PngStrategyOption = new("--png-strategy") { Description = "zlib strategy: rle (fast), default, filtered, huffman, fixed", DefaultValueFactory = _ => "rle" };
    private static readonly Option<bool> Force = new("--force") { Description = "Delete the crops and manifest of an earlier run in OUTPUT and start over" };
    private static readonly Option<bool> Json = new("--json") { Description = "Print the summary as one JSON object (no progress bar)" };
    private static readonly Option<bool> NoProgress = new("--no-progress") { Description = "No progress bar" };

    public static Command Create()
    {
        var command = new Command("prepare", "Cut a folder of photos into NxN PNG crops at scales 1, 1/2, 1/4 ... (resumable, parallel)");
        command.Arguments.Add(Input);
        command.Arguments.Add(Output);
        foreach (var option in new Option[] { Size, CropsPerScale, Grid, MaxScales, PriorDownscale, Kernel, Seed, Jobs, PngLevel, PngStrategyOption, Force, Json, NoProgress })
            command.Options.Add(option);
        command.SetGuardedAction((parse, cancel) => Task.FromResult(Run(parse, cancel)));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var input = parse.GetValue(Input)!;
        if (!Directory.Exists(input)) throw new DirectoryNotFoundException($"input folder '{input}' does not exist");
        var options = new PrepareOptions
        {
            CropSize = parse.GetValue(Size),
            CropsPerScale = parse.GetValue(CropsPerScale),
            Grid = parse.GetValue(Grid),
            MaxScales = parse.GetValue(MaxScales),
            PriorDownscaleAbovePixels = parse.GetValue(PriorDownscale) is { } mp ? (long)(mp * 1e6) : null,
            ScaleKernel = ParseKernel(parse.GetValue(Kernel)!),
            Seed = parse.GetValue(Seed),
            MaxParallelism = parse.GetValue(Jobs),
            PngCompressionLevel = parse.GetValue(PngLevel),
            PngStrategy = ParseStrategy(parse.GetValue(PngStrategyOption)!),
            Overwrite = parse.GetValue(Force),
        };
        var json = parse.GetValue(Json);
        var output = parse.GetValue(Output)!;
        PrepareSummary summary;
        try
        {
            summary = json || parse.GetValue(NoProgress) || Console.IsOutputRedirected
                ? DatasetPreparation.Run(input, output, options, cancel: cancel)
                : RunWithProgress(input, output, options, cancel);
        }
        catch (OutputFolderConflictException e)
        {
            throw new UsageException(e.Message); // a choice of folder or flags, not a failure of the work
        }
        if (json) Console.WriteLine(JsonSerializer.Serialize(ToJson(summary)));
        else PrintSummary(summary, output);
        return summary.Cancelled ? 130 : 0;
    }

    private static PrepareSummary RunWithProgress(string input, string output, PrepareOptions options, CancellationToken cancel)
    {
        PrepareSummary? summary = null;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .Start(context =>
            {
                var task = context.AddTask("photos", maxValue: 1);
                var progress = new DirectProgress<PrepareProgress>(p =>
                {
                    task.MaxValue = Math.Max(1, p.SourcesTotal);
                    task.Value = p.SourcesDone;
                    task.Description = $"photos {p.SourcesDone}/{p.SourcesTotal}, crops {p.CropsWritten}";
                });
                summary = DatasetPreparation.Run(input, output, options, progress, cancel);
                task.Value = task.MaxValue;
            });
        return summary!;
    }

    internal static void PrintSummary(PrepareSummary s, string output)
    {
        Console.WriteLine($"sources:  {s.SourcesFound} found, {s.SourcesAlreadyDone} already done, {s.SourcesRead} read, {s.TooSmall.Count} too small, {s.Bad.Count} bad");
        foreach (var bad in s.Bad) Console.WriteLine($"  bad:       {bad.Source}: {bad.Reason}");
        foreach (var small in s.TooSmall.Take(20)) Console.WriteLine($"  too small: {small.Source}: {small.Reason}");
        if (s.TooSmall.Count > 20) Console.WriteLine($"  ... and {s.TooSmall.Count - 20} more too small");
        if (s.OrphansRemoved > 0) Console.WriteLine($"removed {s.OrphansRemoved} crops of an interrupted earlier run (their sources are redone)");
        Console.WriteLine($"crops:    {s.CropsWritten} written in {s.Elapsed.TotalSeconds:F1} s ({s.CropsPerSecond:F1} crops/s); {s.CropsTotal} in {output}");
        if (s.Cancelled) Console.WriteLine("interrupted: run the same command again to continue");
    }

    private static object ToJson(PrepareSummary s) => new
    {
        sources_found = s.SourcesFound,
        sources_already_done = s.SourcesAlreadyDone,
        sources_read = s.SourcesRead,
        too_small = s.TooSmall.Count,
        bad = s.Bad.Select(b => new { source = b.Source, reason = b.Reason }).ToList(),
        crops_written = s.CropsWritten,
        crops_total = s.CropsTotal,
        orphans_removed = s.OrphansRemoved,
        seconds = s.Elapsed.TotalSeconds,
        crops_per_second = s.CropsPerSecond,
        cancelled = s.Cancelled,
    };

    internal static ResizeKernel ParseKernel(string name) => name.ToLowerInvariant() switch
    {
        "area" => ResizeKernel.Area,
        "bicubic" => ResizeKernel.BicubicAntialias,
        "bilinear" => ResizeKernel.Bilinear,
        "nearest" => ResizeKernel.Nearest,
        _ => throw new UsageException($"unknown kernel '{name}'; known: area, bicubic, bilinear, nearest"),
    };

    private static PngStrategy ParseStrategy(string name) => name.ToLowerInvariant() switch
    {
        "rle" => PngStrategy.Rle,
        "default" => PngStrategy.Default,
        "filtered" => PngStrategy.Filtered,
        "huffman" => PngStrategy.HuffmanOnly,
        "fixed" => PngStrategy.Fixed,
        _ => throw new UsageException($"unknown PNG strategy '{name}'; known: rle, default, filtered, huffman, fixed"),
    };
}

/// <summary>Reports on the calling thread, at once (System.Progress posts to the thread pool, out of order).</summary>
internal sealed class DirectProgress<T>(Action<T> report) : IProgress<T>
{
    private readonly object gate = new();

    public void Report(T value)
    {
        lock (gate) report(value);
    }
}
