using System.CommandLine;
using System.Globalization;

using Spectre.Console;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Evaluation;
using Workbench.Inference;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench evaluate colorize --model ... [--data data/photos/test]</c>: gray → colorize → compare with the originals.</summary>
internal static class EvaluateCommand
{
    private static readonly Option<string> Model = new("--model", "-m") { Description = "Generator weights (.safetensors)", Required = true };
    private static readonly Option<string> DataOption = new("--data", "-d") { Description = "Folder of held-out colour photos", DefaultValueFactory = _ => Path.Combine(EmbeddedData.DefaultRoot, "photos", "test") };
    private static readonly Option<int> RenderSize = new("--render-size", "-r") { Description = "Render size of the model", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed of the per-image degradation", DefaultValueFactory = _ => 0 };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };

    public static Command Create()
    {
        var command = new Command("evaluate", "Score a model on held-out photos against model-free baselines");
        foreach (var task in new[] { "colorize", "defade" })
        {
            var sub = new Command(task, task == "colorize"
                ? "Colour photos → film-like grayscale → colorize → PSNR/SSIM (RGB), Lab chroma error, colourfulness; baselines: the gray input, a sepia tint"
                : "Colour photos → faded → restored → the same metrics; baseline: the faded input");
            foreach (var option in new Option[] { Model, DataOption, RenderSize, Seed, DeviceOption }) sub.Options.Add(option);
            sub.SetGuardedAction((parse, cancel) => Task.FromResult(Run(task, parse, cancel)));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static int Run(string task, ParseResult parse, CancellationToken cancel)
    {
        var data = parse.GetValue(DataOption)!;
        if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"'{data}' does not exist (run `workbench data init` for the embedded test photos)");
        var files = ImagesDataset.FromDirsRecursive(new[] { data }).Files;
        var options = new ColorizerOptions
        {
            RenderSize = parse.GetValue(RenderSize),
            Device = ColorizeCommand.ParseDevice(parse.GetValue(DeviceOption)!),
            Mode = task == "defade" ? Recombination.AddResidual : Recombination.KeepLuminance,
        };
        using var colorizer = Colorizer.Load(parse.GetValue(Model)!, options);
        Degradation degradation = task == "defade" ? DegradationPresets.DeFade() : new FilmGrayscale();
        var result = ColorizeEvaluation.Run(colorizer, files, degradation, parse.GetValue(Seed), cancel: cancel,
            progress: new Line(name => Console.Error.WriteLine($"  {name}")));
        var table = new Spectre.Console.Table().AddColumns("image", "method", "PSNR dB", "SSIM", "chroma err (Lab)", "colorfulness");
        foreach (var s in result.Scores.Concat(result.Means))
        {
            var row = new[] { s.Image, s.Method, F(s.Psnr, "F2"), F(s.Ssim, "F4"), F(s.ChromaError, "F2"), F(s.Colorfulness, "F1") }.Select(Markup.Escape).ToArray();
            table.AddRow(s.Image == "mean" ? row.Select(c => $"[bold]{c}[/]").ToArray() : row);
        }
        table.Caption($"{files.Count} photo(s) from {Markup.Escape(data)}; originals' mean colorfulness {F(result.TargetColorfulness, "F1")}");
        AnsiConsole.Write(table);
        return 0;
    }

    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);

    private sealed class Line(Action<string> report) : IProgress<string>
    {
        public void Report(string value) => report(value);
    }
}
