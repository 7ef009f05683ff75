using System.Diagnostics;
using System.Globalization;

using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Training.Callbacks;
using Workbench.Evaluation;
using Workbench.Training;

namespace Workbench.Experiments;

/// <summary>
/// The notes' "x4 vs x2x2": the same ESPCN body with three x4 tails of (nearly) the same parameter count — one
/// sub-pixel step by 4 (ESPCN's), two x2 steps (the notes' and ESRGAN's layout), and two x2 steps followed by two
/// convs — trained on the same data with the same budget and seeds, scored on the held-out photos against bicubic.
/// The x2-step tails are made narrow enough to match the x4 tail's size (<see cref="UpsampleHead.ChannelsMatching"/>),
/// so the comparison is of layout, not of capacity.
/// </summary>
public static class X4VsX2x2Experiment
{
    public const string Name = "x4-vs-x2x2";

    public const string Claim =
        "По итогам сравнений получилось, что для увеличения картинки в 4 раза лучше сделать два шага с увеличениями в 2 раза и с " +
        "парой-тройкой свёрточных слоёв между увеличениями. Кроме того, пара свёрточных слоёв после увеличения тоже улучшают результат.";

    public const string ClaimTranslation =
        "The comparisons showed that to enlarge a picture 4 times it is better to take two x2 steps with a couple of conv layers " +
        "between them. Also, a couple of conv layers after the upsampling improve the result too.";

    /// <summary>A tail: its name, layout and convs after the last upsampling.</summary>
    private sealed record Variant(string Label, string Head, int ConvsAfter);

    private static readonly Variant[] Variants = [new("x4", "one", 0), new("x2x2", "x2", 0), new("x2x2+2conv", "x2", 2)];

    public static ExperimentReport Run(SrExperimentOptions options, IProgressSink? sink = null, CancellationToken cancel = default)
    {
        var (started, clock) = (DateTime.UtcNow, Stopwatch.StartNew());
        using var threads = ThreadCount.Set(options.Threads);
        using var validation = SrValidationSet.Load(options.TestDir, 4, options.ValidationCrop);
        // The one-step x4 tail sets the size; the x2 tails get the width that comes closest to it.
        var target = UpsampleHead.ParameterCount(options.Channels, 4, UpsampleSteps.OneStep, convs_after: 0);
        var results = new Dictionary<string, List<SrVariantRun>>();
        var widths = new Dictionary<string, long>();
        foreach (var v in Variants)
        {
            var width = v.Head == "one" ? options.Channels : UpsampleHead.ChannelsMatching(target, options.Channels, 4, UpsampleSteps.X2Steps, v.ConvsAfter);
            widths[v.Label] = width;
            results[v.Label] = Enumerable.Range(0, options.Seeds).Select(seed =>
            {
                cancel.ThrowIfCancellationRequested();
                var config = SrExperiment.Config(options, Name, 4, seed) with { Head = v.Head, HeadChannels = (int)width, HeadConvsAfter = v.ConvsAfter };
                return SrExperiment.Train(config, $"{v.Label}-seed{seed}", r => r.Scores!, sink, cancel);
            }).ToList();
        }

        var report = new ExperimentReport(Name, "x4 vs x2x2 upsampling (same parameter count)",
            ["tail", "tail width", "parameters", "vs x4 params", "PSNR-Y dB", "SSIM-Y", "gain vs bicubic dB", "train s"])
        {
            Claim = Claim,
            ClaimTranslation = ClaimTranslation,
            ClaimSource = "seeds/superresolution-gan-notes.ru.txt, \"x4 vs x2x2\"",
            Smoke = options.Smoke,
            Date = started,
            RunsDirectory = Path.GetFullPath(Path.Combine(options.RunsDir, Name)),
        };
        SrExperiment.Describe(report, options, validation, "scored at the end of training on the trained network (x2 tails have no plain-weights export)");
        var baseParams = results["x4"][0].Parameters;
        foreach (var v in Variants)
        {
            var runs = results[v.Label];
            var p = runs[0].Parameters;
            report.AddRow([v.Label, widths[v.Label].ToString(CultureInfo.InvariantCulture), p.ToString("N0", CultureInfo.InvariantCulture),
                ((p - baseParams) / (double)baseParams).ToString("+0.0%;-0.0%;0.0%", CultureInfo.InvariantCulture), .. SrExperiment.Cells(runs)]);
            report.Add(SrExperiment.ValidationCurve(v.Label, runs));
            report.Add(SrExperiment.LossCurve(v.Label, runs));
        }
        report.AddRow(["bicubic", "-", "0", "-", results["x4"][0].Scores.MeanBicubicPsnrY.ToString("F2", CultureInfo.InvariantCulture),
            results["x4"][0].Scores.MeanBicubicSsimY.ToString("F4", CultureInfo.InvariantCulture), "0", "-"]);
        report.Add(new ExperimentSeries("final PSNR-Y", "PSNR-Y", Enumerable.Range(0, Variants.Length + 1).Select(i => (double)i).ToList(),
            Variants.Select(v => results[v.Label].Average(r => r.Scores.MeanPsnrY)).Append(results["x4"][0].Scores.MeanBicubicPsnrY).ToList(),
            Variants.Select(v => Stats.Std(results[v.Label].Select(r => r.Scores.MeanPsnrY).ToList())).Append(0).ToList(),
            Variants.Select(v => v.Label).Append("bicubic").ToList()));
        report.SetAxes("validation PSNR-Y", "step", "held-out PSNR-Y, dB (x4)");
        report.SetAxes("training L1 loss", "step", "L1 loss (mean of 20 steps)");
        report.SetAxes("final PSNR-Y", "tail", "held-out PSNR-Y, dB");

        var maxSpread = Variants.Max(v => Math.Abs(results[v.Label][0].Parameters - baseParams) / (double)baseParams);
        report.Verdict = $"{SrExperiment.Compare("x2x2", results["x2x2"], "x4", results["x4"])}; " +
            $"{SrExperiment.Compare("x2x2+2conv", results["x2x2+2conv"], "x2x2", results["x2x2"])}. " +
            string.Create(CultureInfo.InvariantCulture, $"Parameter counts differ by at most {maxSpread:P1}. ") +
            "The notes found x2x2 better than x4 and convs after the upsampling helpful.";
        report.Elapsed = clock.Elapsed;
        return report;
    }
}
