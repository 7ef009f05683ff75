using System.CommandLine;
using System.Globalization;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Evaluation;
using Workbench.Inference;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench evaluate colorize|defade [--model ...] [--data data/photos/test] [--json FILE]</c>, and <c>evaluate sr</c>: scores on held-out photos.</summary>
internal static class EvaluateCommand
{
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"Generator weights (.safetensors) [colorize default: models/{ShippedModels.Colorizer}; defade: required]" };
    private static readonly Option<string[]> DataOption = new("--data", "-d")
    {
        Description = "Folders of held-out colour photos; with several (e.g. in-domain test photos and a package left out of training), each is scored and a summary puts them side by side",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [DefaultData],
    };
    private static readonly Option<int> RenderSize = new("--render-size", "-r") { Description = "Render size of the model", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the per-image degradation", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    internal static readonly Option<string?> Json = new("--json") { Description = "Also write per-image and mean scores to this JSON file" };

    internal static string DefaultData => Path.Combine(EmbeddedData.DefaultRoot, "photos", "test");

    public static Command Create()
    {
        var command = new Command("evaluate", "Score a model on held-out photos against model-free baselines");
        foreach (var task in new[] { "colorize", "defade" })
        {
            var sub = new Command(task, task == "colorize"
                ? "Colour photos → film-like grayscale → colorize → PSNR/SSIM (RGB), Lab chroma error, share of pixels with a*b* error < 10, colourfulness; baselines: the gray input, a sepia tint"
                : "Colour photos → faded → restored → the same metrics; baseline: the faded input");
            foreach (var option in new Option[] { Model, DataOption, RenderSize, Seed, DeviceOption, Json }) sub.Options.Add(option);
            // On the thread pool: the action must return its Task at once for Ctrl-C to reach the token.
            sub.SetGuardedAction((parse, cancel) => Task.Run(() => Run(task, parse, cancel), CancellationToken.None));
            command.Subcommands.Add(sub);
        }
        command.Subcommands.Add(EvaluateSrCommand.Create());
        command.Subcommands.Add(TuneColorizerCommand.Create());
        command.Subcommands.Add(EvaluateVideoCommand.Create());
        return command;
    }

    private static int Run(string task, ParseResult parse, CancellationToken cancel)
    {
        var folders = parse.GetValue(DataOption)!;
        if (folders.FirstOrDefault(f => !Directory.Exists(f)) is { } missing)
            throw new DirectoryNotFoundException($"'{missing}' does not exist (run `workbench data init` for the embedded test photos)");
        var weights = parse.GetValue(Model) ?? (task == "colorize" ? ShippedModels.PathOf(ShippedModels.Colorizer)
            : throw new UsageException("evaluate defade needs --model: no DeFade model ships with Workbench; train one with `workbench train defade`"));
        var json = parse.GetValue(Json);
        var options = new ColorizerOptions
        {
            RenderSize = parse.GetValue(RenderSize),
            Device = ColorizeCommand.ParseDevice(parse.GetValue(DeviceOption)!),
            Mode = task == "defade" ? Recombination.AddResidual : Recombination.KeepLuminance,
        };
        using var colorizer = Colorizer.Load(weights, options);
        Degradation degradation = task == "defade" ? DegradationPresets.DeFade() : new FilmGrayscale();
        var results = new List<(string Folder, ColorizeEvaluationResult Result)>();
        foreach (var data in folders)
        {
            var files = ImagesDataset.FromDirsRecursive(new[] { data }).Files;
            var result = ColorizeEvaluation.Run(colorizer, files, degradation, parse.GetValue(Seed), cancel: cancel,
                progress: new Line(name => Console.Error.WriteLine($"  {name}")));
            var table = result.ToTable();
            table.Caption = $"{files.Count} photo(s) from {data}, model {weights}; originals' mean colorfulness {F(result.TargetColorfulness, "F1")}; " +
                            "ab acc <10 = share of pixels whose a*b* error is under 10 (higher is better)";
            ConsoleTable.Write(table, bold: row => row[0] == "mean");
            results.Add((data, result));
        }
        if (results.Count > 1) ConsoleTable.Write(Summary(results, task == "defade" ? "faded input" : "gray input"));
        if (json is not null)
        {
            var about = (string data) => new Dictionary<string, string> { ["task"] = task, ["model"] = weights, ["data"] = data };
            WriteJson(json, results.Count == 1 ? results[0].Result.ToJson(about(results[0].Folder))
                : "[" + string.Join(",", results.Select(r => r.Result.ToJson(about(r.Folder)))) + "]");
            Console.WriteLine($"scores written to {json}");
        }
        return 0;
    }

    /// <summary>One row per folder: the model's mean chroma error beside the unchanged input's, on how many photos it
    /// beats the input, and its colourfulness as a share of the originals'.</summary>
    private static Display.Table Summary(IReadOnlyList<(string Folder, ColorizeEvaluationResult Result)> results, string baseline)
    {
        var table = new Display.Table("photos", "n", "chroma error", baseline, "better than input", "colourfulness share") { Caption = "per folder, model vs the unchanged input" };
        foreach (var (folder, r) in results)
        {
            var model = r.Scores.Where(s => s.Method == "model").ToList();
            var input = r.Scores.Where(s => s.Method == "input").ToDictionary(s => s.Image, s => s.ChromaError);
            var better = model.Count(s => s.ChromaError < input[s.Image]);
            table.AddRow(folder, model.Count.ToString(CultureInfo.InvariantCulture), F(r.Mean("model").ChromaError, "F2"), F(r.Mean("input").ChromaError, "F2"),
                $"{better} of {model.Count}", F(r.Mean("model").Colorfulness / r.TargetColorfulness, "P0"));
        }
        return table;
    }

    /// <summary>Writes the JSON atomically (a half-written file never replaces a good one).</summary>
    internal static void WriteJson(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        Torch.Serialization.AtomicFile.WriteAllText(path, json + Environment.NewLine);
    }

    internal static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private sealed class Line(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
