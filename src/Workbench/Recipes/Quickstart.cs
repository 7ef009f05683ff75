using System.Diagnostics;
using System.Globalization;

using Plotly.NET.CSharp;

using Workbench.Data;
using Workbench.Data.Imaging;
using Workbench.Display;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Plotting;
using Workbench.Reports;
using Workbench.Torch;
using Workbench.Training.Callbacks;
using Workbench.Training;

using GenericChart = Plotly.NET.GenericChart;

namespace Workbench.Recipes;

/// <summary>Budgets of the first run: small enough for ~10 minutes on a 2-core CPU, big enough to beat the baselines.</summary>
public sealed record QuickstartOptions
{
    public string DataRoot { get; init; } = EmbeddedData.DefaultRoot;
    public string RunsRoot { get; init; } = "runs";
    public string TestImages { get; init; } = "test_images";

    /// <summary>ESPCN x2 pixel-loss iterations.</summary>
    public int SrIterations { get; init; } = 600;

    /// <summary>Colorizer generator pretraining iterations per size (64, then 96).</summary>
    public int ColorizeIterations { get; init; } = 250;

    /// <summary>Critic pretraining, then GAN iterations at the last size.</summary>
    public int CriticIterations { get; init; } = 40;
    public int GanIterations { get; init; } = 60;

    /// <summary>Tiny budgets, for tests of the pipeline itself.</summary>
    public static QuickstartOptions Smoke(string root) => new()
    {
        DataRoot = Path.Combine(root, "data"), RunsRoot = Path.Combine(root, "runs"),
        SrIterations = 4, ColorizeIterations = 2, CriticIterations = 2, GanIterations = 2,
    };
}

/// <param name="ColorizerWeights">The colorizer the quickstart applies: the shipped one (models/: an ensemble of two networks trained for ~7.5 CPU-hours in all; see MODEL_CARD.md).</param>
/// <param name="Colorization">The whole NoGAN run; its WeightsPath is the generator after the GAN.</param>
public sealed record QuickstartResult(string ReportPath, string OutputDirectory, SrTrainingResult SuperResolution, string ColorizerWeights, ColorizeRunResult Colorization,
    ColorizeEvaluationResult ColorizationScores, TimeSpan Elapsed)
{
    /// <summary>Method names in <see cref="ColorizationScores"/>: the generator before the GAN phases, and after.</summary>
    public const string ShippedMethod = "shipped colorizer";
    public const string PretrainedMethod = "generator before GAN";
    public const string GanMethod = "generator after GAN";
}

/// <summary>
/// The main job for a newcomer: build the embedded data, train an ESPCN x2 and a small colorizer on the CPU,
/// apply both to test_images/, and write runs/quickstart/report.html with curves, pictures and metrics
/// against the baselines (bicubic; the grayscale input and a sepia tint).
/// </summary>
public static class Quickstart
{
    public const string SrRunName = "quickstart-espcn-x2";
    public const string ColorizeRunName = "quickstart-colorize";

    public static QuickstartResult Run(QuickstartOptions o, Func<string, IProgressSink?> progress, TextWriter log, CancellationToken cancel = default)
    {
        var clock = Stopwatch.StartNew();
        var output = Path.Combine(o.RunsRoot, "quickstart");
        // The quickstart always starts over: these folders are its own outputs from a previous run.
        foreach (var old in new[] { output, Path.Combine(o.RunsRoot, SrRunName), Path.Combine(o.RunsRoot, ColorizeRunName) })
            if (Directory.Exists(old)) Directory.Delete(old, recursive: true);
        Directory.CreateDirectory(output);

        log.WriteLine("[1/5] embedded datasets");
        EmbeddedData.Init(o.DataRoot, cancel: cancel);

        log.WriteLine($"[2/5] training ESPCN x2 ({o.SrIterations} iterations)");
        var srConfig = SuperResolutionRecipe.Resolve(basis: new SrTrainingConfig
        {
            Arch = "espcn", Scale = 2, PretrainIterations = o.SrIterations, GanIterations = 0,
            TrainDir = Path.Combine(o.DataRoot, "photos", "train"), TestDir = Path.Combine(o.DataRoot, "photos", "test"),
            RunsDir = o.RunsRoot, ValidateEvery = Math.Max(1, o.SrIterations / 4),
        });
        var sr = SuperResolutionRecipe.Run(srConfig, progress("ESPCN x2"), cancel, new SrRunOptions(RunName: SrRunName, Log: log));
        cancel.ThrowIfCancellationRequested();

        log.WriteLine("[3/5] training the colorizer: generator pretraining at 64 and 96 px, then critic pretraining and a short GAN (NoGAN)");
        var colorConfig = ColorizeRecipe.Defaults("colorize") with
        {
            Run = Path.Combine(o.RunsRoot, ColorizeRunName),
            Data = Path.Combine(o.DataRoot, "photos", "train"), Validation = Path.Combine(o.DataRoot, "photos", "test"),
            Sizes = new[] { 64, 96 }, BatchSizes = new[] { 8, 6 },
            PretrainIterations = o.ColorizeIterations, CriticIterations = o.CriticIterations, GanIterations = o.GanIterations,
        };
        // Two calls, so that the generator before the GAN is kept: at this budget the short GAN buys colourfulness with wrong colour
        // (measured: Lab chroma error 23.0 before, 24.2–29.2 after, gray 24.5), so the quickstart applies the pretrained generator
        // and reports the GAN's effect beside it.
        var pretrained = ColorizeRecipe.Train(colorConfig with { CriticIterations = 0, GanIterations = 0 }, ExistingRun.Refuse, progress("colorizer G"), log, cancel);
        cancel.ThrowIfCancellationRequested();
        var pretrainedWeights = Path.Combine(colorConfig.Run, "generator-pretrained.safetensors");
        File.Copy(pretrained.WeightsPath, pretrainedWeights, overwrite: true);
        var color = ColorizeRecipe.Train(colorConfig, ExistingRun.Resume, progress("colorizer GAN"), log, cancel);
        cancel.ThrowIfCancellationRequested();

        // The minutes-long NoGAN run shows the pipeline; the pictures use the shipped colorizer (hours of training,
        // `workbench colorize`'s default), scored beside it on the same held-out photos.
        log.WriteLine("[4/5] upscaling and colorizing test_images/ with the shipped colorizer; scoring the colorizers against the baselines");
        var shipped = ShippedModels.PathOf(ShippedModels.Colorizer);
        var pictures = ApplyToTestImages(o, sr.WeightsPath!, shipped, output, log);
        var evaluation = EvaluateColorizers(Directory.GetFiles(colorConfig.Validation).Order(StringComparer.Ordinal).ToList(),
            [(QuickstartResult.PretrainedMethod, pretrainedWeights), (QuickstartResult.GanMethod, color.WeightsPath), (QuickstartResult.ShippedMethod, shipped)], cancel);

        log.WriteLine("[5/5] report");
        var reportPath = Path.Combine(output, "report.html");
        Report(o, sr, shipped, color, evaluation, pictures, clock.Elapsed).Save(reportPath);
        return new QuickstartResult(reportPath, output, sr, shipped, color, evaluation, clock.Elapsed);
    }

    private sealed record Pictures(ImageGrid Upscaled, ImageGrid Colorized);

    /// <summary>The colorizers and the baselines on the held-out photos, one table (baselines scored once, with the last).</summary>
    private static ColorizeEvaluationResult EvaluateColorizers(IReadOnlyList<string> files, IReadOnlyList<(string Method, string Weights)> models, CancellationToken cancel)
    {
        var scores = new List<ColorizeScore>();
        var target = 0.0;
        for (var i = 0; i < models.Count; i++)
        {
            using var colorizer = Colorizer.Load(models[i].Weights);
            var result = ColorizeEvaluation.Run(colorizer, files, baselines: i == models.Count - 1, cancel: cancel);
            scores.AddRange(result.Scores.Select(s => s.Method == "model" ? s with { Method = models[i].Method } : s));
            target = result.TargetColorfulness;
        }
        return new ColorizeEvaluationResult(scores, target);
    }

    private static Pictures ApplyToTestImages(QuickstartOptions o, string srWeights, string colorWeights, string output, TextWriter log)
    {
        var files = Directory.Exists(o.TestImages)
            ? Directory.GetFiles(o.TestImages).Where(f => Upscaler.ImageExtensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal).ToList()
            : new List<string>();
        var upscaledDir = Path.Combine(output, "upscaled");
        var colorizedDir = Path.Combine(output, "colorized");
        Directory.CreateDirectory(upscaledDir);
        Directory.CreateDirectory(colorizedDir);
        var srCells = new List<ImageDisplay>();
        var colorCells = new List<ImageDisplay>();
        using var upscaler = Upscaler.FromFile(srWeights);
        using var colorizer = Colorizer.Load(colorWeights);
        foreach (var file in files)
        {
            var name = Path.GetFileNameWithoutExtension(file);
            try
            {
                using var scope = torch.NewDisposeScope();
                var image = ImageIO.Read(file);
                using (torch.no_grad())
                {
                    // Super-resolution: a 64 px crop of the half-size photo, bicubic vs ESPCN vs the original, shown 3x.
                    var (h, w) = (image.size(1) / 2 * 2, image.size(2) / 2 * 2);
                    var original = ImageCrop.CenterCrop(image, (int)h, (int)w);
                    var small = ImageResize.Resize(original, (int)h / 2, (int)w / 2, InterpolationMode.Bicubic, antialias: true);
                    var model = upscaler.Upscale(small);
                    ImageIO.Write(Path.Combine(upscaledDir, name + "_x2.png"), model);
                    var bicubic = ImageResize.Resize(small, (int)h, (int)w, InterpolationMode.Bicubic, antialias: false).clamp(0, 1);
                    Tensor Zoom(Tensor t) => ImageResize.Resize(ImageCrop.CenterCrop(t, 64, 64), 192, 192, InterpolationMode.Nearest);
                    if (image.size(0) >= 3 && !IsGray(image))
                    {
                        srCells.Add(new ImageDisplay(ImageIO.Encode(Zoom(bicubic), ImageFormat.Png), $"{name}: bicubic"));
                        srCells.Add(new ImageDisplay(ImageIO.Encode(Zoom(model), ImageFormat.Png), $"{name}: ESPCN x2"));
                        srCells.Add(new ImageDisplay(ImageIO.Encode(Zoom(original), ImageFormat.Png), $"{name}: original"));
                    }

                    // Colorization: every photo goes in as gray; color originals are shown beside the result.
                    var gray = IsGray(image) ? image.narrow(0, 0, 1) : ColorSpace.Luma(image.narrow(0, 0, 3));
                    var colored = colorizer.Colorize(gray);
                    ImageIO.Write(Path.Combine(colorizedDir, name + ".png"), colored);
                    Tensor Thumb(Tensor t) => ImageResize.Resize(t.size(0) == 1 ? t.expand(3, -1, -1) : t, 192, (int)(192 * t.size(2) / t.size(1)), InterpolationMode.Area);
                    colorCells.Add(new ImageDisplay(ImageIO.Encode(Thumb(gray), ImageFormat.Png), $"{name}: input"));
                    colorCells.Add(new ImageDisplay(ImageIO.Encode(Thumb(colored), ImageFormat.Png), $"{name}: colorized"));
                    colorCells.Add(new ImageDisplay(ImageIO.Encode(Thumb(image.narrow(0, 0, Math.Min(3, image.size(0)))), ImageFormat.Png),
                        IsGray(image) ? $"{name}: (a real black-and-white photo)" : $"{name}: original"));
                }
            }
            catch (Exception e) when (e is IOException or TorchException or ImagingException or InvalidDataException)
            {
                log.WriteLine($"  skipped {file}: {e.Message}");
            }
        }
        return new Pictures(new ImageGrid(srCells, 3), new ImageGrid(colorCells, 3));
    }

    private static bool IsGray(Tensor image)
    {
        if (image.size(0) == 1) return true;
        using var scope = torch.NewDisposeScope();
        var rgb = image.narrow(0, 0, 3);
        return (rgb - rgb.mean(new long[] { 0 }, keepdim: true)).abs().max().item<double>() < 1.5 / 255;
    }

    private static HtmlReport Report(QuickstartOptions o, SrTrainingResult sr, string colorizerWeights, ColorizeRunResult color, ColorizeEvaluationResult evaluation, Pictures pictures, TimeSpan elapsed)
    {
        var inv = CultureInfo.InvariantCulture;
        var report = new HtmlReport("Workbench quickstart");
        report.Paragraph($"Trained on the CPU ({Environment.ProcessorCount} cores, libtorch {torch.__version__}) in {elapsed:mm\\:ss} on the embedded photos " +
                         "(Debian's skimage, scikit-learn and OpenCV sample photos; the test photos are held out by source). " +
                         "Both models start from scratch: no pretrained weights exist on this machine, so these are small, honest baselines — not DeOldify or ESRGAN quality.");

        report.Heading("Super-resolution: ESPCN x2 vs bicubic");
        if (sr.Scores is { } s)
        {
            var table = new Table("photo", "bicubic PSNR-Y", "ESPCN PSNR-Y", "gain dB", "bicubic SSIM-Y", "ESPCN SSIM-Y");
            for (var i = 0; i < s.Images.Count; i++)
                table.AddRow(s.Images[i], F(s.BicubicPsnrY[i]), F(s.PsnrY[i]), F(s.PsnrY[i] - s.BicubicPsnrY[i]), F(s.BicubicSsimY[i], "F4"), F(s.SsimY[i], "F4"));
            table.AddRow("mean", F(s.BicubicPsnrY.Average()), F(s.PsnrY.Average()), F(s.PsnrY.Average() - s.BicubicPsnrY.Average()), F(s.BicubicSsimY.Average(), "F4"), F(s.SsimY.Average(), "F4"));
            table.Caption = "Held-out photos, x2, PSNR/SSIM on Y (BT.601) with a 2-pixel border crop, as SR papers report.";
            report.Table(table);
        }
        report.Chart(LossChart("ESPCN training", sr.LossHistory.Select(r => (r.Step, r.Name, r.Value))));
        report.Paragraph("Center crops of test_images/ downscaled x2 and brought back, shown at 3x (nearest neighbour): bicubic | ESPCN | original.");
        report.Images(pictures.Upscaled);

        report.Heading("Colorization: the shipped colorizer, a minutes-long NoGAN U-Net, and the grayscale and sepia baselines");
        {
            var table = new Table("method", "PSNR", "SSIM", "Lab chroma error ↓", "colorfulness");
            foreach (var m in evaluation.Means) table.AddRow(m.Method, F(m.Psnr), F(m.Ssim, "F4"), F(m.ChromaError), F(m.Colorfulness, "F1"));
            table.Caption = $"{evaluation.Scores.Select(x => x.Image).Distinct().Count()} held-out color photos → film-like grayscale → colorized, compared with the originals " +
                            $"(means; 'input' is the grayscale itself, 'sepia' a constant tint; the originals' mean colorfulness is {evaluation.TargetColorfulness:F1}).";
            report.Table(table);
            var (shippedScore, before, after, gray) = (evaluation.Mean(QuickstartResult.ShippedMethod), evaluation.Mean(QuickstartResult.PretrainedMethod),
                evaluation.Mean(QuickstartResult.GanMethod), evaluation.Mean("input"));
            report.Paragraph($"The shipped colorizer (two of Zhang et al.'s classification networks over ab bins, an ensemble trained for ~7.5 CPU-hours on Debian's colour photos; models/MODEL_CARD.md) " +
                             $"scores a Lab chroma error of {F(shippedScore.ChromaError)} at colourfulness {F(shippedScore.Colorfulness, "F1")}; the pictures below use it. " +
                             "The U-Net rows are this quickstart's own minutes-long DeOldify NoGAN run on ~20 photos, a demonstration of the pipeline.");
            report.Paragraph("The Lab chroma error is the mean a*b* distance to the original's colours: it rewards cautious, plausible colour and punishes " +
                             $"confident wrong colour. The U-Net's pretraining alone gives {F(before.ChromaError)} (the gray input: {F(gray.ChromaError)}); the short GAN " +
                             $"{(after.ChromaError > before.ChromaError ? "raises" : "lowers")} it to {F(after.ChromaError)} and takes colourfulness from " +
                             $"{F(before.Colorfulness, "F1")} to {F(after.Colorfulness, "F1")}. The critic asks for vivid colour that a generator trained on ~20 photos " +
                             "places only partly right — one reason DeOldify keeps its GAN phase short (NoGAN).");
        }
        var csv = LossHistory.CsvPath(color.State.RunDirectory);
        if (File.Exists(csv)) report.Chart(LossChart("colorizer training", LossHistory.ReadCsv(csv).Select(r => (r.Step, r.Name, r.Value))));
        report.Paragraph("test_images/ colorized from gray (camera and coins are real black-and-white photos): input | colorized | original.");
        report.Images(pictures.Colorized);

        report.Heading("Next");
        report.Commands(
            $"tensorboard --logdir {o.RunsRoot}                                  # the runs: losses, samples every 200 steps, weights",
            $"./run.sh workbench tensorboard-summary {sr.RunDirectory}   # the same, without TensorBoard",
            $"./run.sh workbench upscale photo.jpg photo_x2.png --model {sr.WeightsPath} --compare",
            "workbench colorize old.jpg old_color.png --render-size 256        # the shipped colorizer",
            $"workbench colorize old.jpg old_unet.png --model {color.WeightsPath}   # this run's U-Net after the GAN",
            "./run.sh workbench train sr --set pretrainIterations=5000           # a longer run",
            "./run.sh workbench experiment x4-vs-x2x2                            # the SR notes' experiments",
            "./run.sh notebook                                                   # the notebooks, with the C# kernel");
        return report;

        string F(double value, string format = "F2") => value.ToString(format, inv);
    }

    /// <summary>Each loss as a line (smoothed over 20 steps) on the left; validation PSNR, lines and markers, on the right.</summary>
    private static GenericChart LossChart(string title, IEnumerable<(long Step, string Name, double Value)> rows)
    {
        var (losses, validations) = (new List<GenericChart>(), new List<GenericChart>());
        foreach (var group in rows.Where(r => double.IsFinite(r.Value)).GroupBy(r => r.Name))
        {
            var points = group.OrderBy(r => r.Step).ToList();
            var validation = group.Key.StartsWith("val_", StringComparison.Ordinal);
            // One scale per panel: PSNR in dB (a gain over bicubic, ~1 dB, would flatten the ~33 dB lines to the top).
            if (validation && (!group.Key.Contains("psnr", StringComparison.Ordinal) || group.Key.Contains("gain", StringComparison.Ordinal))) continue;
            if (!validation && (group.Key.Contains("grad_norm", StringComparison.Ordinal) || group.Key.Contains("score", StringComparison.Ordinal))) continue;
            var y = validation ? points.Select(p => p.Value).ToList() : Smooth(points.Select(p => p.Value).ToList(), 20);
            (validation ? validations : losses).Add(Chart.Line<double, double, string>(points.Select(p => (double)p.Step), y, Name: group.Key, ShowMarkers: validation));
        }
        static GenericChart Panel(List<GenericChart> lines, string yTitle) =>
            (lines.Count > 0 ? Chart.Combine(lines) : Chart.Invisible())
                .WithXAxisStyle<double, double, string>(TitleText: "step")
                .WithYAxisStyle<double, double, string>(TitleText: yTitle);
        return Chart.Grid([Panel(losses, "loss"), Panel(validations, "dB")], 1, 2, SubPlotTitles: new[] { "training losses (smoothed)", "validation PSNR (dB)" })
            .WithSize(Height: 360)
            .WithTitle(title);
    }

    private static List<double> Smooth(List<double> values, int window)
    {
        var result = new List<double>(values.Count);
        double sum = 0;
        for (var i = 0; i < values.Count; i++)
        {
            sum += values[i];
            if (i >= window) sum -= values[i - window];
            result.Add(sum / Math.Min(i + 1, window));
        }
        return result;
    }
}
