using System.CommandLine;
using System.Globalization;

using Workbench.Data;
using Workbench.Experiments;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench experiment x4-vs-x2x2|maxpool-vs-strided|x2-twice [--smoke] [--seeds N]</c>: the seed notes' experiments.</summary>
internal static class ExperimentCommand
{
    private static readonly Option<bool> Smoke = new("--smoke") { Description = "Tiny sizes and few steps (checks the pipeline in seconds; the numbers mean nothing)" };
    private static readonly Option<int?> Seeds = new("--seeds") { Description = "Seeds per variant (default: 3 for the SR experiments, 5 for the digits)" };
    private static readonly Option<int?> Iterations = new("--iterations") { Description = "SR experiments: steps per variant (default 800); digits: epochs (default 10)" };
    private static readonly Option<string> RunsDir = new("--runs-dir") { Description = "Where TensorBoard runs and the report go (<dir>/<experiment>/)", DefaultValueFactory = _ => "runs/experiments" };
    private static readonly Option<string> DataRoot = new("--data") { Description = "Datasets root (workbench data init)", DefaultValueFactory = _ => EmbeddedData.DefaultRoot };

    private static readonly Dictionary<string, string> Descriptions = new()
    {
        [X4VsX2x2Experiment.Name] = "x4 vs x2x2 upsampling tails of equal size (ESPCN, held-out PSNR/SSIM-Y vs bicubic)",
        [MaxPoolVsStridedExperiment.Name] = "max pooling vs strided conv vs extra conv, digits classifier, several seeds",
        [X2TwiceVsX4Experiment.Name] = "a x2 model applied twice vs a x4 model vs a x2 model trained as net(net(x))",
    };

    public static Command Create()
    {
        var command = new Command("experiment", "Run one of the seed notes' experiments; writes a table, figure data (Plotly JSON) and TensorBoard runs");
        foreach (var (name, description) in Descriptions)
        {
            var sub = new Command(name, description);
            foreach (var option in new Option[] { Smoke, Seeds, Iterations, RunsDir, DataRoot }) sub.Options.Add(option);
            // Task.Run: see TrainSrCommand (Ctrl-C cancels only actions that return before doing their work).
            sub.SetGuardedAction((parse, cancel) => Task.Run(() => Run(name, parse, cancel), CancellationToken.None));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static int Run(string name, ParseResult parse, CancellationToken cancel)
    {
        var smoke = parse.GetValue(Smoke);
        var seeds = parse.GetValue(Seeds);
        var iterations = parse.GetValue(Iterations);
        var runs = parse.GetValue(RunsDir)!;
        var data = parse.GetValue(DataRoot)!;
        if (seeds is < 1) throw new UsageException("--seeds must be at least 1");
        if (iterations is < 1) throw new UsageException("--iterations must be at least 1");
        using var sink = new SpectreProgressSink();
        ExperimentReport report;
        if (name == MaxPoolVsStridedExperiment.Name)
        {
            var o = smoke ? MaxPoolVsStridedOptions.SmokeDefaults(data, runs) : new MaxPoolVsStridedOptions { DataRoot = data, RunsDir = runs };
            o = o with { Seeds = seeds ?? o.Seeds, Epochs = iterations ?? o.Epochs };
            report = MaxPoolVsStridedExperiment.Run(o, sink, cancel);
        }
        else
        {
            var (train, test) = (Path.Combine(data, "photos", "train"), Path.Combine(data, "photos", "test"));
            var o = smoke ? SrExperimentOptions.SmokeDefaults(train, test, runs) : new SrExperimentOptions { TrainDir = train, TestDir = test, RunsDir = runs };
            o = o with { Seeds = seeds ?? o.Seeds, Iterations = iterations ?? o.Iterations };
            report = name == X4VsX2x2Experiment.Name ? X4VsX2x2Experiment.Run(o, sink, cancel) : X2TwiceVsX4Experiment.Run(o, sink, cancel);
        }
        var html = report.Save(Path.Combine(runs, name));
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{report.Elapsed.TotalMinutes:F1} min; report: {html} (also report.json, table.csv, series.csv, figure-N.json); TensorBoard: tensorboard --logdir {report.RunsDirectory}"));
        return 0;
    }
}
