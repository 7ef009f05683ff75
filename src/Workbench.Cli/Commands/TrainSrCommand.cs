using System.CommandLine;
using System.Globalization;

using Workbench.Recipes;
using Workbench.Training;
using Workbench.Evaluation;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench train sr [--config f.json] [--set k=v ...] [--run NAME] [--resume | --overwrite] [--nproc-per-node N ...]</c>:
/// the super-resolution recipe, optionally data-parallel over N local worker processes (and several machines).
/// </summary>
internal static class TrainSrCommand
{
    private static readonly Option<string?> ConfigFile = new("--config", "-c") { Description = "JSON file of config values (keys as in the saved config.json)" };
    private static readonly Option<string[]> Set = new("--set") { Description = "Override one config value: key=value (repeatable)", AllowMultipleArgumentsPerToken = true };
    private static readonly Option<string?> RunName = new("--run") { Description = "Run folder name under runsDir (default sr-ARCH-xSCALE)" };
    private static readonly Option<bool> Resume = new("--resume") { Description = "Continue the run from its latest checkpoint (its saved config, then --config/--set)" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Delete an existing run folder of that name first" };
    private static readonly Option<bool> PrintConfig = new("--print-config") { Description = "Print the resolved config and the schedule, and exit" };

    public static Command Create()
    {
        var command = new Command("sr", "Super-resolution: pixel-loss pretraining, then optional perceptual + GAN (notes' dilation critic, TTUR, k critic steps); PSNR/SSIM vs bicubic on held-out photos");
        foreach (var option in new Option[] { ConfigFile, Set, RunName, Resume, Overwrite, PrintConfig }) command.Options.Add(option);
        DistributedLauncher.AddOptions(command);
        // Task.Run: System.CommandLine installs its Ctrl-C handler only once the action has returned its (pending) task;
        // work done synchronously before that would be killed by Ctrl-C instead of cancelled.
        command.SetGuardedAction((parse, cancel) => Task.Run(() => parse.GetValue(PrintConfig) ? Run(parse, cancel) : DistributedLauncher.Run(parse, () => Run(parse, cancel)), CancellationToken.None));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var overrides = parse.GetValue(Set) ?? [];
        var file = parse.GetValue(ConfigFile);
        var resume = parse.GetValue(Resume);
        var config = SuperResolutionRecipe.Resolve(file, overrides);
        var name = parse.GetValue(RunName) ?? SuperResolutionRecipe.DefaultRunName(config);
        if (resume)
        {
            // The saved config is the basis; a file or --set on top changes only what they name (e.g. more iterations).
            var saved = SuperResolutionRecipe.SavedConfig(Path.Combine(config.RunsDir, name))
                ?? throw new UsageException($"--resume: run '{Path.Combine(config.RunsDir, name)}' has no saved config.json");
            config = SuperResolutionRecipe.Resolve(file, overrides, saved);
        }
        if (parse.GetValue(PrintConfig))
        {
            Console.WriteLine(Config.ToJson(config));
            Console.WriteLine(SuperResolutionRecipe.BuildSchedule(config));
            return 0;
        }
        // Under --nproc-per-node only rank 0 reports; the others train silently.
        var main = DataParallel.Current.IsMain;
        using var sink = main ? new SpectreProgressSink() : null;
        var result = SuperResolutionRecipe.Run(config, sink, cancel, new SrRunOptions(name, TrainCommand.Existing(resume, parse.GetValue(Overwrite)), main ? Console.Out : null));
        if (!main) return result.Interrupted ? 130 : result.Completed ? 0 : Fail(result.StopReason);
        if (result.Interrupted)
        {
            Console.WriteLine($"interrupted at step {result.Steps}: checkpoint saved in {Path.Combine(result.RunDirectory, "checkpoints")}; continue with --run {name} --resume");
            return 130;
        }
        if (!result.Completed) return Fail(result.StopReason);
        if (result.Scores is { } s)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"held-out PSNR-Y {s.MeanPsnrY:F2} dB vs bicubic {s.MeanBicubicPsnrY:F2} dB ({SrScores.Signed(s.PsnrGain)} dB), SSIM-Y {s.MeanSsimY:F4} vs {s.MeanBicubicSsimY:F4}"));
        Console.WriteLine($"done: {result.Steps} steps in {result.TrainingTime:hh\\:mm\\:ss}; weights {result.WeightsPath}; summary {result.SummaryPath}");
        Console.WriteLine($"upscale with: workbench upscale IN OUT --model {result.WeightsPath}    TensorBoard: tensorboard --logdir {Path.Combine(result.RunDirectory, "tb")}");
        return 0;
    }

    private static int Fail(string? reason)
    {
        var rank = DataParallel.Current;
        Console.Error.WriteLine(rank.IsDistributed ? $"rank {rank.Rank} stopped: {reason}" : $"stopped: {reason}");
        return 1;
    }
}
