using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Evaluation;
using Workbench.Torch.Serialization;
using Workbench.Training;

namespace Workbench.Recipes;

/// <summary>Where a run goes and whether it continues an earlier one.</summary>
/// <param name="RunName">Folder under the config's RunsDir; null: <see cref="SuperResolutionRecipe.DefaultRunName"/>.</param>
/// <param name="Existing">What to do when the run already has checkpoints (resuming needs a config that describes the same networks).</param>
/// <param name="Log">Where the recipe writes its few lines (the loop description, the validation table); null for none.</param>
public sealed record SrRunOptions(string? RunName = null, ExistingRun Existing = ExistingRun.Refuse, TextWriter? Log = null);

/// <summary>What a finished (or interrupted) super-resolution run produced.</summary>
public sealed record SrTrainingResult
{
    public required string RunDirectory { get; init; }

    /// <summary>Exported generator weights with architecture metadata (<c>workbench upscale --model</c>); null when nothing was trained to export.</summary>
    public string? WeightsPath { get; init; }

    /// <summary>False for a residual network that cannot be folded into a plain one (upscale refuses it).</summary>
    public bool WeightsLoadableByUpscale { get; init; }

    /// <summary>&lt;run&gt;/summary.json.</summary>
    public required string SummaryPath { get; init; }

    /// <summary>Every logged value: step losses and validation metrics (val_psnr_y, ...), as in losses.csv.</summary>
    public required IReadOnlyList<(long Step, string Phase, string Name, double Value)> LossHistory { get; init; }

    /// <summary>The final validation on the held-out set (null if the run stopped before any).</summary>
    public SrScores? Scores { get; init; }

    public double? ModelPsnrY => Scores?.MeanPsnrY;
    public double? BicubicPsnrY => Scores?.MeanBicubicPsnrY;

    /// <summary>True when the model's mean PSNR on Y beats bicubic's on the held-out set.</summary>
    public bool BeatsBicubic => Scores is { PsnrGain: > 0 };

    public long Steps { get; init; }

    /// <summary>Wall time of the training loop (validation included, data preparation excluded).</summary>
    public TimeSpan TrainingTime { get; init; }

    public bool Completed { get; init; }
    public bool Interrupted { get; init; }
    public string? StopReason { get; init; }
}

/// <summary>The run's summary.json, which `workbench train sr` and the experiments read back.</summary>
public static class SrSummary
{
    /// <summary>&lt;run&gt;/summary.json: what was trained, how far, and the held-out scores.</summary>
    public static void Write(SrTrainingResult r, SrTrainingConfig c, TrainingPosition? resumedFrom)
    {
        var s = r.Scores;
        var summary = new JsonObject
        {
            ["run"] = r.RunDirectory,
            ["arch"] = c.Arch,
            ["scale"] = c.Scale,
            ["applied_twice"] = c.ApplyTwice,
            ["bicubic_init"] = c.BicubicInit && c.Arch == "espcn" && c.Head == "default" && !c.ResidualOverBicubic,
            ["residual_over_bicubic"] = c.ResidualOverBicubic,
            ["completed"] = r.Completed,
            ["interrupted"] = r.Interrupted,
            ["stop_reason"] = r.StopReason,
            ["steps"] = r.Steps,
            ["resumed_from_step"] = resumedFrom?.GlobalStep,
            ["training_seconds"] = Math.Round(r.TrainingTime.TotalSeconds, 1),
            ["weights"] = r.WeightsPath,
            ["weights_loadable_by_upscale"] = r.WeightsLoadableByUpscale,
            ["validation"] = s is null ? null : new JsonObject
            {
                ["images"] = new JsonArray(s.Images.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray()),
                ["crop"] = c.ValidationCrop,
                ["degradation"] = "antialiased bicubic downscale (a = -0.5), no noise or JPEG",
                ["psnr_y"] = Math.Round(s.MeanPsnrY, 4),
                ["psnr_y_bicubic"] = Math.Round(s.MeanBicubicPsnrY, 4),
                ["psnr_y_gain"] = Math.Round(s.PsnrGain, 4),
                ["ssim_y"] = Math.Round(s.MeanSsimY, 5),
                ["ssim_y_bicubic"] = Math.Round(s.MeanBicubicSsimY, 5),
                ["beats_bicubic"] = r.BeatsBicubic,
            },
        };
        AtomicFile.WriteAllText(r.SummaryPath, summary.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
