using System.Diagnostics;
using System.Globalization;

using Workbench.Recipes;
using Workbench.Training.Callbacks;
using Workbench.Evaluation;
using Workbench.Training;

namespace Workbench.Experiments;

/// <summary>
/// The notes' "a x2 model applied twice vs a x4 model", with the fix the notes suggest: an ESPCN trained for x4; an
/// ESPCN trained for x2 and applied twice at test time; and an ESPCN x2 trained as net(net(x)) against x4 targets.
/// Same data (the same high-resolution crops), the same number of steps and batch size for each; all three are
/// scored at x4 on the held-out photos against bicubic x4.
/// </summary>
public static class X2TwiceVsX4Experiment
{
    public const string Name = "x2-twice";

    public const string Claim =
        "Теоретически, если нейронка увеличивает в два раза и её применить дважды, то картинка будет увеличена в четыре раза. " +
        "Практически результат получается не очень красивый появляются артефакты. [...] Наверно, чтобы такое работало хорошо, " +
        "надо при шаге обучения тоже уменьшать картинку в четыре раза, дважды увеличивать и сравнивать. y = generator(generator(x))";

    public const string ClaimTranslation =
        "In theory a network that enlarges x2, applied twice, enlarges x4. In practice the result is not very pretty: artifacts " +
        "appear. [...] Probably, for this to work well, the training step should also shrink the picture four times, enlarge it " +
        "twice and compare. y = generator(generator(x))";

    public static ExperimentReport Run(SrExperimentOptions options, IProgressSink? sink = null, CancellationToken cancel = default)
    {
        var (started, clock) = (DateTime.UtcNow, Stopwatch.StartNew());
        using var threads = ThreadCount.Set(options.Threads);
        using var validation = SrValidationSet.Load(options.TestDir, 4, options.ValidationCrop);
        List<SrVariantRun> Train(string label, int scale, bool applyTwice, bool scoreTwice) => Enumerable.Range(0, options.Seeds).Select(seed =>
        {
            cancel.ThrowIfCancellationRequested();
            var config = SrExperiment.Config(options, Name, scale, seed) with { ApplyTwice = applyTwice };
            return SrExperiment.Train(config, $"{label}-seed{seed}", r => SrExperiment.Score(r.WeightsPath!, validation, scoreTwice), sink, cancel);
        }).ToList();

        var x4 = Train("x4", 4, applyTwice: false, scoreTwice: false);
        var x2Twice = Train("x2-applied-twice", 2, applyTwice: false, scoreTwice: true);
        var trainedTwice = Train("x2-trained-twice", 4, applyTwice: true, scoreTwice: true);

        var report = new ExperimentReport(Name, "x2 model applied twice vs x4 model (same budget)",
            ["model", "trained on", "parameters", "PSNR-Y dB (x4)", "SSIM-Y (x4)", "gain vs bicubic dB", "train s"])
        {
            Claim = Claim,
            ClaimTranslation = ClaimTranslation,
            ClaimSource = "seeds/superresolution-gan-notes.ru.txt, \"Увеличение в 4 или 2 раза\"",
            Smoke = options.Smoke,
            Date = started,
            RunsDirectory = Path.GetFullPath(Path.Combine(options.RunsDir, Name)),
        };
        SrExperiment.Describe(report, options, validation, "all three scored from their exported weights (the x2 ones wrapped as net(net(x)))");
        string P(IReadOnlyList<SrVariantRun> r) => r[0].Parameters.ToString("N0", CultureInfo.InvariantCulture);
        report.AddRow(["x4 ESPCN", "x4 pairs", P(x4), .. SrExperiment.Cells(x4)]);
        report.AddRow(["x2 ESPCN applied twice", "x2 pairs", P(x2Twice), .. SrExperiment.Cells(x2Twice)]);
        report.AddRow(["x2 ESPCN trained as net(net(x))", "x4 pairs", P(trainedTwice), .. SrExperiment.Cells(trainedTwice)]);
        var bicubic = x4[0].Scores;
        report.AddRow(["bicubic x4", "-", "0", bicubic.MeanBicubicPsnrY.ToString("F2", CultureInfo.InvariantCulture), bicubic.MeanBicubicSsimY.ToString("F4", CultureInfo.InvariantCulture), "0", "-"]);

        // Only the x4-trained models are validated at x4 during training; the x2 model's curve is at x2 and is left out.
        report.Add(SrExperiment.ValidationCurve("x4", x4));
        report.Add(SrExperiment.ValidationCurve("x2 trained twice", trainedTwice));
        foreach (var (label, runs) in new[] { ("x4", x4), ("x2 applied twice (x2 loss)", x2Twice), ("x2 trained twice", trainedTwice) })
            report.Add(SrExperiment.LossCurve(label, runs));
        var all = new[] { x4, x2Twice, trainedTwice };
        report.Add(new ExperimentSeries("final PSNR-Y (x4)", "PSNR-Y", [0, 1, 2, 3],
            all.Select(r => r.Average(x => x.Scores.MeanPsnrY)).Append(bicubic.MeanBicubicPsnrY).ToList(),
            all.Select(r => Stats.Std(r.Select(x => x.Scores.MeanPsnrY).ToList())).Append(0).ToList(),
            ["x4", "x2 applied twice", "x2 trained twice", "bicubic"]));
        report.SetAxes("validation PSNR-Y", "step", "held-out PSNR-Y at x4, dB");
        report.SetAxes("training L1 loss", "step", "L1 loss (mean of 20 steps)");
        report.SetAxes("final PSNR-Y (x4)", "model", "held-out PSNR-Y at x4, dB");
        report.Verdict = $"{SrExperiment.Compare("x2 applied twice", x2Twice, "x4", x4)}; {SrExperiment.Compare("x2 trained twice", trainedTwice, "x2 applied twice", x2Twice)}; " +
            $"{SrExperiment.Compare("x2 trained twice", trainedTwice, "x4", x4)}. The notes saw artifacts from a x2 model applied twice and suggested training it as generator(generator(x)).";
        report.Elapsed = clock.Elapsed;
        return report;
    }
}
