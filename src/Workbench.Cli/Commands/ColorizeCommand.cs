using System.CommandLine;

using Spectre.Console;

using Workbench.Data;
using Workbench.Inference;
using Workbench.Torch;
using Workbench.Video;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench colorize IN OUT --model weights.safetensors --render-size N</c> (and <c>defade</c>, the same for faded photos).</summary>
internal static class ColorizeCommand
{
    private static readonly Argument<string> Input = new("input") { Description = "Photo or video (.mp4, .avi, .mov, .mkv, ...), or a folder of them (searched recursively)" };
    private static readonly Argument<string> Output = new("output") { Description = "Output image (format by extension) or video (.mp4, .avi, .mov, .mkv), or a folder when INPUT is one (PNG files: photo.jpg → photo.png; photo.jpg.png where another input has the same stem; videos keep their name)" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"Generator weights (.safetensors written by `workbench train`, or a training checkpoint) [colorize default: models/{ShippedModels.Colorizer}, the quickstart's colorizer]" };
    private static readonly Option<int> RenderSize = new("--render-size", "-r") { Description = "The model sees about N×N pixels (aspect kept); the result keeps the input's size", DefaultValueFactory = _ => 256 };
    private static readonly Option<string?> RenderFactor = new("--render-factor") { Description = "DeOldify's render factor N: the model sees a (16·N)² square (replaces --render-size; DeOldify's own default is 35); several, comma-separated (20,35), write the photo at each side by side" };
    private static readonly Option<string> Chroma = new("--chroma") { Description = "Join the model's colour with the original's luminance in yuv (DeOldify) or lab", DefaultValueFactory = _ => "yuv" };
    private static readonly Option<int[]> Sweep = new("--sweep") { Description = "Write the photo at these render sizes side by side instead (e.g. --sweep 128 192 256)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace output files that already exist (otherwise the command refuses and writes nothing)" };

    public static Command Create(string name = "colorize")
    {
        var command = new Command(name, name == "colorize"
            ? "Colorize black-and-white photos (any size; the original's detail and size are kept)"
            : "Restore faded photos with a DeFade model (any size)");
        command.Arguments.Add(Input);
        command.Arguments.Add(Output);
        foreach (var option in new Option[] { Model, RenderSize, RenderFactor, Chroma, Sweep, DeviceOption, Overwrite }.Concat(VideoCommand.All)) command.Options.Add(option);
        // On the thread pool: the action must return its Task at once for Ctrl-C to reach the token.
        command.SetGuardedAction((parse, cancel) => Task.Run(() => Run(name, parse, cancel), CancellationToken.None));
        return command;
    }

    /// <summary>"35" or "20,35": render factors (positive integers); null when the option is absent.</summary>
    private static int[]? RenderFactors(string? text)
    {
        if (text is null) return null;
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var factors = parts.Select(p => int.TryParse(p, out var f) && f >= 2 ? f : 0).ToArray();
        if (factors.Length == 0 || factors.Contains(0))
            throw new UsageException($"--render-factor takes integers of at least 2, comma-separated (e.g. 35 or 20,35), got '{text}'");
        return factors;
    }

    private static int Run(string name, ParseResult parse, CancellationToken cancel)
    {
        var input = parse.GetValue(Input)!;
        var output = parse.GetValue(Output)!;
        var isFolder = Directory.Exists(input);
        if (!isFolder && !File.Exists(input)) throw new FileNotFoundException($"input '{input}' does not exist");
        var overwrite = parse.GetValue(Overwrite);
        // Checked before the model loads: a refused run costs nothing.
        var plan = isFolder ? FolderPlan(input, output, Colorizer.PlanFolder, overwrite) : null;
        var videos = isFolder ? VideoCommand.PlanFolder(input, output, overwrite) : [];
        var isVideo = !isFolder && VideoFiles.IsVideo(input);
        if (isVideo) VideoCommand.CheckOutput(input, output, overwrite);
        else if (!isFolder) CheckSingleOutput(input, output, overwrite);
        var range = VideoCommand.Range(parse);
        var strength = VideoCommand.CheckedStrength(parse);
        var flow = VideoCommand.ParseFlow(parse);
        var factors = RenderFactors(parse.GetValue(RenderFactor));
        var options = new ColorizerOptions
        {
            RenderSize = factors is [var factor] ? factor * DeOldifyPipeline.RenderBase : parse.GetValue(RenderSize),
            Chroma = parse.GetValue(Chroma) switch
            {
                "yuv" => ChromaSpace.Yuv,
                "lab" => ChromaSpace.Lab,
                var other => throw new UsageException($"--chroma must be yuv or lab, got '{other}'"),
            },
            Mode = name == "defade" ? Recombination.AddResidual : Recombination.KeepLuminance,
            Device = ParseDevice(parse.GetValue(DeviceOption)!),
        };
        var weights = parse.GetValue(Model) ?? (name == "colorize" ? ShippedModels.PathOf(ShippedModels.Colorizer)
            : throw new UsageException("defade needs --model: no DeFade model ships with Workbench; train one with `workbench train defade`"));
        using var colorizer = Colorizer.Load(weights, options);
        if (name == "colorize" && colorizer.Info?.Task == "defade") Console.Error.WriteLine("note: this is a DeFade model; `workbench defade` restores with it");
        var sweep = factors is { Length: > 1 } ? factors.Select(f => f * DeOldifyPipeline.RenderBase).ToArray() : parse.GetValue(Sweep);
        if (isVideo)
        {
            if (sweep is { Length: > 0 }) throw new UsageException("--sweep and several --render-factor values write a photo side by side; a video takes one render size");
            VideoCommand.RunOne(input, output, new ColorizeFrames(colorizer, strength, flow), range, overwrite, cancel);
            return 0;
        }
        if (!isFolder)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            if (sweep is { Length: > 0 })
            {
                using var scope = torch.NewDisposeScope();
                ImageIO.Write(output, colorizer.SizeSweep(ImageIO.Read(input), sweep), overwrite: overwrite);
            }
            else colorizer.ColorizeFile(input, output, overwrite: overwrite);
            Console.WriteLine($"{input} → {output} ({clock.Elapsed.TotalSeconds:F1} s)");
            return 0;
        }
        IReadOnlyList<ColorizeFileResult> results = Array.Empty<ColorizeFileResult>();
        var total = plan!.Items.Count;
        if (Console.IsOutputRedirected)
            results = colorizer.ColorizeFolder(plan, progress: new LineReport(), cancel: cancel, overwrite: overwrite);
        else
            AnsiConsole.Progress().AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .Start(context =>
                {
                    var task = context.AddTask($"{name} {total} photo(s)", maxValue: Math.Max(1, total));
                    results = colorizer.ColorizeFolder(plan, progress: new Inline(r =>
                    {
                        task.Increment(1);
                        if (!r.Ok) AnsiConsole.MarkupLine($"[red]failed[/] {Markup.Escape(r.Input)}: {Markup.Escape(r.Error!)}");
                    }), cancel: cancel, overwrite: overwrite);
                });
        var failed = results.Count(r => !r.Ok);
        var failedVideos = VideoCommand.RunFolder(videos, () => new ColorizeFrames(colorizer, strength, flow), range, overwrite, cancel);
        var named = plan.Renamed.Count > 0 ? $"{plan.Renamed.Count} keeping their source extension (see naming above)" : "named after each input (photo.jpg → photo.png)";
        Console.WriteLine($"{results.Count - failed} of {results.Count} photo(s) written to {output} as PNG, {named}{(failed > 0 ? $"; {failed} failed" : "")}");
        return failed + failedVideos > 0 ? 1 : 0;
    }

    /// <summary>The folder run's outputs, refused (usage error, nothing written) when any would replace an input or, without --overwrite, an existing file; prints how outputs are named.</summary>
    internal static BatchOutputs FolderPlan(string input, string output, Func<string, string, BatchOutputs> plan, bool overwrite)
    {
        if (File.Exists(output)) throw new UsageException($"INPUT is a folder, so OUTPUT must be one too; '{output}' is a file");
        var outputs = plan(input, output);
        if (outputs.Problems(overwrite) is { Count: > 0 } problems) throw new UsageException(string.Join(Environment.NewLine + "  ", problems));
        if (outputs.Renamed is { Count: > 0 } renamed)
            Console.WriteLine($"naming: {renamed.Count} input(s) share a stem with another of a different type, so their outputs keep the source extension: " +
                string.Join(", ", renamed.Take(4).Select(r => $"{Path.GetRelativePath(input, r.Input)} → {Path.GetRelativePath(output, r.Output)}")) +
                (renamed.Count > 4 ? $" and {renamed.Count - 4} more" : ""));
        return outputs;
    }

    /// <summary>Refuses (usage error) an output that is the input itself, or that exists without --overwrite.</summary>
    internal static void CheckSingleOutput(string input, string output, bool overwrite)
    {
        if (Directory.Exists(output)) throw new UsageException($"OUTPUT '{output}' is a folder; INPUT is a file, so name the output file");
        if (BatchOutputs.SamePath(input, output)) throw new UsageException($"OUTPUT '{output}' is the input itself; write to another file");
        if (!overwrite && File.Exists(output)) throw new UsageException($"'{output}' already exists; pass --overwrite to replace it");
    }

    internal static Device ParseDevice(string name) => name switch
    {
        "cpu" => Device.CPU,
        "cuda" when torch.cuda.is_available() => new Device(DeviceType.CUDA, 0),
        "cuda" => throw new UsageException("--device cuda: no CUDA device is available"),
        var other => throw new UsageException($"--device must be cpu or cuda, got '{other}'"),
    };

    private sealed class LineReport : IProgress<ColorizeFileResult>
    {
        public void Report(ColorizeFileResult r) =>
            Console.WriteLine(r.Ok ? $"{r.Input} → {r.Output} ({r.Elapsed.TotalSeconds:F1} s)" : $"failed: {r.Input}: {r.Error}");
    }

    private sealed class Inline(Action<ColorizeFileResult> report) : IProgress<ColorizeFileResult>
    {
        public void Report(ColorizeFileResult value) => report(value);
    }
}
