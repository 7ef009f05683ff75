using System.CommandLine;

using Workbench.Recipes;
using Workbench.Training;
using Workbench.Training.Callbacks;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train colorize|defade [--config f.json] [--set k=v ...] [--resume|--overwrite]</c>: the NoGAN recipe.</summary>
internal static class TrainCommand
{
    /// <summary>--resume and --overwrite as the one policy every recipe follows.</summary>
    internal static ExistingRun Existing(bool resume, bool overwrite) => (resume, overwrite) switch
    {
        (true, true) => throw new UsageException("--resume and --overwrite exclude each other"),
        (true, false) => ExistingRun.Resume,
        (false, true) => ExistingRun.Overwrite,
        _ => ExistingRun.Refuse,
    };

    private static readonly Option<string?> ConfigFile = new("--config", "-c") { Description = "JSON file of config values (keys as in the saved config.json)" };
    private static readonly Option<string[]> Set = new("--set") { Description = "Override one config value: key=value (repeatable)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> RunName = new("--run") { Description = "Run folder: a bare NAME means runs/NAME (as `train sr --run`), a path is used as it is [default: runs/TASK]" };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue from the run folder's latest checkpoint" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Delete an existing run folder first (without --resume or this, a folder with checkpoints is an error)" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the resolved config and the schedule, and exit" };

    public static Command Create()
    {
        var command = new Command("train", "Train a model with a recipe (TensorBoard events, checkpoints and config.json in the run folder)");
        command.Subcommands.Add(TrainSrCommand.Create());
        foreach (var task in new[] { "colorize", "defade" })
        {
            var sub = new Command(task, task == "colorize"
                ? "DeOldify-style colorizer: U-Net generator pretraining (progressive sizes), critic pretraining, short GAN (TTUR)"
                : "DeFade: the same generator trained to restore faded colour photos");
            foreach (var option in new Option[] { ConfigFile, Set, RunName, Resume, Overwrite, PrintConfig }) sub.Options.Add(option);
            DistributedLauncher.AddOptions(sub);
            // On the thread pool: the action must return its Task at once for Ctrl-C to reach the token.
            sub.SetGuardedAction((parse, cancel) => Task.Run(() => parse.GetValue(PrintConfig) ? Run(task, parse, cancel) : DistributedLauncher.Run(parse, () => Run(task, parse, cancel)), CancellationToken.None));
            command.Subcommands.Add(sub);
        }
        return command;
    }

    private static int Run(string task, ParseResult parse, CancellationToken cancel)
    {
        var overrides = (parse.GetValue(Set) ?? Array.Empty<string>()).ToList();
        if (parse.GetValue(RunName) is { } run) overrides.Add($"run={RunFolder(run)}"); // last: it wins over --config and --set
        var config = Config.Resolve(ColorizeRecipe.Defaults(task), parse.GetValue(ConfigFile), overrides);
        if (config.Task != task) throw new UsageException($"`train {task}` with task={config.Task} in the config; use `train {config.Task}`");
        if (parse.GetValue(PrintConfig))
        {
            Console.WriteLine(Config.ToJson(config));
            Console.WriteLine(ColorizeRecipe.BuildSchedule(config));
            return 0;
        }
        // Under --nproc-per-node only rank 0 reports; the others train silently.
        var parallel = DataParallel.Current;
        var existing = Existing(parse.GetValue(Resume), parse.GetValue(Overwrite));
        var result = parallel.IsMain
            ? ColorizeRecipe.Train(config, existing, new LineProgressSink(Console.Out), Console.Out, cancel)
            : ColorizeRecipe.Train(config, existing, null, null, cancel);
        var state = result.State;
        if (!parallel.IsMain)
        {
            if (state.Diverged) Console.Error.WriteLine($"rank {parallel.Rank} stopped: {state.StopReason}");
            return state.Interrupted ? 130 : state.Diverged ? 1 : 0;
        }
        if (result.Validation is { } v) Console.WriteLine(v.ToTable());
        if (state.Interrupted)
        {
            Console.WriteLine($"interrupted at step {state.GlobalStep}: checkpoint saved in {Checkpointer.Directory(config.Run)}; continue with --resume");
            return 130;
        }
        if (state.Diverged)
        {
            Console.Error.WriteLine($"stopped: {state.StopReason}; the last good checkpoint is {Checkpointer.LatestPath(config.Run)}");
            return 1;
        }
        Console.WriteLine($"done: {state.GlobalStep} steps; weights {result.WeightsPath}; TensorBoard: tensorboard --logdir {Path.Combine(config.Run, "tb")}");
        return 0;
    }

    /// <summary>A bare name is a folder under runs/ (as `train sr --run NAME`); anything with a separator is a path.</summary>
    internal static string RunFolder(string run) =>
        run.Contains('/') || run.Contains(Path.DirectorySeparatorChar) ? run : Path.Combine("runs", run);
}
