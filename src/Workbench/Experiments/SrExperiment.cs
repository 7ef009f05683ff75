using System.Globalization;

using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Torch;
using Workbench.Training.Callbacks;
using Workbench.Evaluation;

namespace Workbench.Experiments;

/// <summary>Settings shared by the super-resolution experiments: every variant gets the same data and budget.</summary>
public sealed record SrExperimentOptions
{
    public string TrainDir { get; init; } = "data/photos/train";
    public string TestDir { get; init; } = "data/photos/test";

    /// <summary>Optimizer steps per variant and seed (the budget).</summary>
    public int Iterations { get; init; } = 800;

    public int BatchSize { get; init; } = 16;

    /// <summary>High-resolution crop side (x4 inputs are a quarter of it).</summary>
    public int CropSize { get; init; } = 64;

    /// <summary>ESPCN width.</summary>
    public int Channels { get; init; } = 64;

    /// <summary>Adam learning rate, cosine-annealed over the run.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Seeds per variant (weights, data order, crops); tables give mean ± std. 3: one seed's spread (~0.05 dB, two
    /// inits of the same x4 ESPCN) is the size of the differences these experiments look for.
    /// </summary>
    public int Seeds { get; init; } = 3;

    /// <summary>Held-out validation every this many steps (the curves); the final numbers come from the exported weights.</summary>
    public int ValidateEvery { get; init; } = 100;

    public int ValidationCrop { get; init; } = 256;

    public int Workers { get; init; } = 1;

    /// <summary>libtorch threads during the experiment (restored after); 0 = leave as is. See MaxPoolVsStridedOptions.Threads.</summary>
    public int Threads { get; init; } = 1;

    /// <summary>TensorBoard runs go to &lt;RunsDir&gt;/&lt;experiment&gt;/&lt;variant&gt;-seed&lt;k&gt;.</summary>
    public string RunsDir { get; init; } = "runs/experiments";

    public bool Smoke { get; init; }

    /// <summary>Seconds-sized settings for tests and <c>--smoke</c>.</summary>
    public static SrExperimentOptions SmokeDefaults(string trainDir, string testDir, string runsDir) => new()
    {
        TrainDir = trainDir, TestDir = testDir, RunsDir = runsDir, Seeds = 1, Iterations = 4, BatchSize = 2, CropSize = 32, Channels = 4,
        ValidateEvery = 2, ValidationCrop = 32, Workers = 0, Smoke = true,
    };
}

/// <summary>One trained variant of an SR experiment: the recipe's result and the held-out scores the table reports.</summary>
internal sealed record SrVariantRun(SrTrainingResult Result, SrScores Scores, long Parameters);

/// <summary>What the SR experiments share: a config per variant from the common options, training through the recipe, tables and curves.</summary>
internal static class SrExperiment
{
    /// <summary>The recipe's config for one variant: pixel-only training (L1, residual over bicubic), no GAN.</summary>
    public static SrTrainingConfig Config(SrExperimentOptions o, string experiment, int scale, int seed) => new()
    {
        Arch = "espcn",
        Scale = scale,
        Channels = o.Channels,
        ResidualOverBicubic = true,
        TrainDir = o.TrainDir,
        TestDir = o.TestDir,
        CropSize = o.CropSize,
        BatchSize = o.BatchSize,
        Workers = o.Workers,
        PretrainIterations = o.Iterations,
        PretrainLr = o.LearningRate,
        ValidateEvery = o.ValidateEvery,
        ValidationCrop = o.ValidationCrop,
        ImageEvery = o.ValidateEvery,
        HistogramEvery = 0,
        CheckpointEvery = 0,
        RunsDir = Path.Combine(o.RunsDir, experiment),
        Seed = seed,
        Threads = 0, // the experiment sets the thread count for all its variants
    };

    /// <summary>Trains one variant (replacing an earlier run of the same name) and scores it with <paramref name="score"/>.</summary>
    public static SrVariantRun Train(SrTrainingConfig config, string runName, Func<SrTrainingResult, SrScores> score, IProgressSink? sink, CancellationToken cancel)
    {
        var directory = Path.Combine(config.RunsDir, runName);
        if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        torch.manual_seed(config.Seed);
        long parameters;
        using (var g = SuperResolutionRecipe.BuildGenerator(config)) parameters = g.count_parameters();
        var result = SuperResolutionRecipe.Run(config, sink, cancel, new SrRunOptions(runName));
        cancel.ThrowIfCancellationRequested();
        if (!result.Completed || result.WeightsPath is null) throw new InvalidOperationException($"{runName} stopped: {result.StopReason}");
        return new SrVariantRun(result, score(result), parameters);
    }

    /// <summary>Scores a weights file on the held-out set at its own scale, or applied twice.</summary>
    public static SrScores Score(string weights, SrValidationSet validation, bool twice = false)
    {
        var (model, _, _) = SuperResolutionModels.Load(weights);
        using nn.Module<Tensor, Tensor> judged = twice ? new AppliedTwice(model) : model;
        return validation.Evaluate(judged);
    }

    /// <summary>Table cells: PSNR-Y, SSIM-Y, gain over bicubic (mean ± std over seeds), and seconds per run.</summary>
    public static string[] Cells(IReadOnlyList<SrVariantRun> runs) =>
    [
        Stats.PlusMinus(runs.Select(r => r.Scores.MeanPsnrY).ToList(), 2),
        Stats.PlusMinus(runs.Select(r => r.Scores.MeanSsimY).ToList(), 4),
        Stats.PlusMinus(runs.Select(r => r.Scores.PsnrGain).ToList(), 2),
        runs.Average(r => r.Result.TrainingTime.TotalSeconds).ToString("F0", CultureInfo.InvariantCulture),
    ];

    /// <summary>Validation PSNR-Y over steps (mean over seeds), from the runs' histories.</summary>
    public static ExperimentSeries ValidationCurve(string name, IReadOnlyList<SrVariantRun> runs)
    {
        var perSeed = runs.Select(r => r.Result.LossHistory.Where(h => h.Name == "val_psnr_y").ToList()).ToList();
        var steps = perSeed[0].Select(p => (double)p.Step).ToList();
        var mean = steps.Select((_, i) => perSeed.Average(s => s[i].Value)).ToList();
        var std = steps.Select((_, i) => Stats.Std(perSeed.Select(s => s[i].Value).ToList())).ToList();
        return new ExperimentSeries("validation PSNR-Y", name, steps, mean, runs.Count > 1 ? std : null);
    }

    /// <summary>The training loss, averaged over windows of <paramref name="window"/> steps and over seeds.</summary>
    public static ExperimentSeries LossCurve(string name, IReadOnlyList<SrVariantRun> runs, int window = 20)
    {
        var perSeed = runs.Select(r => r.Result.LossHistory.Where(h => h.Name == "pixel_l1").Select(h => h.Value).ToList()).ToList();
        var n = perSeed.Min(s => s.Count) / window;
        var x = Enumerable.Range(0, Math.Max(1, n)).Select(i => (double)(i + 1) * window).ToList();
        var y = x.Select((_, i) => perSeed.Average(s => s.Skip(i * window).Take(window).DefaultIfEmpty(double.NaN).Average())).ToList();
        return new ExperimentSeries("training L1 loss", name, x, y);
    }

    /// <summary>Records the options in the report.</summary>
    public static void Describe(ExperimentReport report, SrExperimentOptions o, SrValidationSet validation, string scoredOn)
    {
        report.Settings["data"] = $"train crops {o.TrainDir}; held-out {validation.Count} photos of {o.TestDir}, centre {o.ValidationCrop} px, inputs by antialiased bicubic downscale";
        report.Settings["budget"] = $"{o.Iterations} steps of batch {o.BatchSize}, {o.CropSize} px high-resolution crops, per variant and seed";
        report.Settings["model"] = $"ESPCN, {o.Channels} channels, predicting the residual over antialiased bicubic (the same for every variant)";
        report.Settings["training"] = $"L1 pixel loss, Adam lr {o.LearningRate.ToString("G3", CultureInfo.InvariantCulture)} cosine-annealed, no GAN";
        report.Settings["metric"] = $"PSNR/SSIM on Y, border = scale cropped, outputs rounded to 8 bits, run through the Upscaler (mirrored borders); {scoredOn}";
        report.Settings["seeds"] = o.Seeds.ToString(CultureInfo.InvariantCulture);
        report.Settings["threads"] = torch.get_num_threads().ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>"A beats B by d dB", judged against the seed spread when there are several seeds.</summary>
    public static string Compare(string a, IReadOnlyList<SrVariantRun> ra, string b, IReadOnlyList<SrVariantRun> rb)
    {
        var (pa, pb) = (ra.Select(r => r.Scores.MeanPsnrY).ToList(), rb.Select(r => r.Scores.MeanPsnrY).ToList());
        var diff = pa.Average() - pb.Average();
        var noise = Stats.StandardErrorOfDifference(pa, pb);
        var judged = ra.Count < 2 || rb.Count < 2 ? "one seed each, so no spread to judge it by" : Math.Abs(diff) <= 2 * noise ? "within seed noise" : "beyond seed noise";
        return string.Create(CultureInfo.InvariantCulture, $"{a} − {b} = {diff:+0.00;-0.00;0.00} dB PSNR-Y ({judged})");
    }
}
