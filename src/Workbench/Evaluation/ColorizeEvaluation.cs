using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Display;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Evaluation;

/// <summary>
/// One method's scores on one image. PSNR/SSIM on RGB in [0, 1]; chroma error = mean Lab a*b* distance; AbAccuracy =
/// share of pixels with a*b* error under 10 (<see cref="Metrics.AbAccuracy"/>).
/// </summary>
public sealed record ColorizeScore(string Image, string Method, double Psnr, double Ssim, double ChromaError, double Colorfulness, double AbAccuracy);

/// <summary>
/// The objective test the DeOldify comment thread asked for: colour photos turned black-and-white (film-like, not a
/// plain luma), colorized, and compared with the originals — next to two baselines that need no model: the gray
/// image itself, and a constant sepia tint on it. A model that only plays safe scores like the baselines on PSNR
/// and below them on colourfulness; the per-image rows show where it helps and where it hurts.
/// </summary>
public sealed class ColorizeEvaluationResult(IReadOnlyList<ColorizeScore> scores, double targetColorfulness, IReadOnlyList<double>? originalColorfulness = null)
    : IMimeRenderable
{
    /// <summary>Each original's colourfulness, in the order of the files (empty when not recorded).</summary>
    public IReadOnlyList<double> OriginalColorfulness { get; } = originalColorfulness ?? [];

    public IReadOnlyList<ColorizeScore> Scores { get; } = scores;

    /// <summary>Mean colourfulness of the original photos (what a perfect colorizer would score).</summary>
    public double TargetColorfulness { get; } = targetColorfulness;

    public IReadOnlyList<string> Methods => Scores.Select(s => s.Method).Distinct().ToList();

    /// <summary>Mean of every metric per method, in the order methods first appear.</summary>
    public IReadOnlyList<ColorizeScore> Means => Methods.Select(m =>
    {
        var rows = Scores.Where(s => s.Method == m).ToList();
        return new ColorizeScore("mean", m, rows.Average(r => r.Psnr), rows.Average(r => r.Ssim), rows.Average(r => r.ChromaError), rows.Average(r => r.Colorfulness),
            rows.Average(r => r.AbAccuracy));
    }).ToList();

    public ColorizeScore Mean(string method) => Means.Single(m => m.Method == method);

    /// <summary>Per-image rows, then the means.</summary>
    public Table ToTable()
    {
        var table = new Table("image", "method", "PSNR dB", "SSIM", "chroma err (Lab)", "ab acc <10", "colorfulness")
        {
            Caption = $"originals' mean colorfulness {TargetColorfulness:F1}",
        };
        foreach (var s in Scores.Concat(Means)) table.AddRow(s.Image, s.Method, s.Psnr, s.Ssim, s.ChromaError, s.AbAccuracy, s.Colorfulness);
        return table;
    }

    /// <summary>Per-image scores, means per method and the originals' colourfulness as indented JSON (metric names in snake_case, as TensorBoard logs them).</summary>
    public string ToJson(IReadOnlyDictionary<string, string>? about = null)
    {
        // PSNR of identical images is +∞, which JSON cannot hold: null.
        static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
        static JsonObject Row(ColorizeScore s) => new()
        {
            ["image"] = s.Image,
            ["method"] = s.Method,
            ["psnr"] = N(s.Psnr),
            ["ssim"] = N(s.Ssim),
            ["chroma_error"] = N(s.ChromaError),
            ["ab_accuracy_10"] = N(s.AbAccuracy),
            ["colorfulness"] = N(s.Colorfulness),
        };
        var root = new JsonObject();
        foreach (var (k, v) in about ?? new Dictionary<string, string>()) root[k] = v;
        root["target_colorfulness"] = N(TargetColorfulness);
        root["means"] = new JsonArray(Means.Select(m => (JsonNode)Row(m)).ToArray());
        root["images"] = new JsonArray(Scores.Select(s => (JsonNode)Row(s)).ToArray());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    public IReadOnlyDictionary<string, string> ToMimeBundle() => ToTable().ToMimeBundle();

    public override string ToString() => ToTable().ToString()!;
}

/// <summary>Runs the grayscale → colorize → compare evaluation (and the same for DeFade with its own degradation).</summary>
public static class ColorizeEvaluation
{
    /// <summary>Sepia's chroma: half the UV of the classic sepia tone RGB (112, 66, 20)/255 (a toned print, not pure brown), at every pixel.</summary>
    private static readonly (float U, float V) SepiaUv = SepiaChroma();

    /// <param name="colorizer">The model to judge (its render size is used unless <paramref name="renderSize"/>).</param>
    /// <param name="files">Held-out colour photos.</param>
    /// <param name="degradation">What makes the input from an original; default film-like grayscale.</param>
    /// <param name="seed">Seeds the degradation per image (image i uses seed + i), so runs are comparable.</param>
    /// <param name="baselines">Score the gray input and the sepia tint too.</param>
    public static ColorizeEvaluationResult Run(Colorizer colorizer, IReadOnlyList<string> files, Degradation? degradation = null, int seed = 0, int? renderSize = null,
        bool baselines = true, IProgress<string>? progress = null, CancellationToken cancel = default)
    {
        if (files.Count == 0) throw new ArgumentException("no images to evaluate on", nameof(files));
        degradation ??= new FilmGrayscale();
        var scores = new List<ColorizeScore>();
        var colorfulness = new List<double>();
        for (var i = 0; i < files.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var name = Path.GetFileName(files[i]);
            var original = ImageIO.Read(files[i]);
            var input = degradation.Apply(original, new Random(seed + i));
            colorfulness.Add(Colorfulness.Compute(original).item<float>());
            scores.Add(Score(name, "model", colorizer.Colorize(input, renderSize), original));
            if (baselines)
            {
                var gray = input.size(0) == 1 ? input.expand(3, -1, -1) : input;
                scores.Add(Score(name, "input", gray, original));
                if (input.size(0) == 1 || IsGray(input)) scores.Add(Score(name, "sepia", Sepia(input), original));
            }
            progress?.Report(name);
        }
        return new ColorizeEvaluationResult(scores, colorfulness.Average(), colorfulness);
    }

    private static ColorizeScore Score(string image, string method, Tensor output, Tensor original) => new(image, method,
        Psnr.Compute(output, original).item<float>(), Ssim.Compute(output, original).item<float>(),
        LabDistance.Chroma(output, original).item<float>(), Colorfulness.Compute(output).item<float>(), AbAccuracy.Compute(output, original).item<float>());

    /// <summary>The gray image's luminance with sepia chroma everywhere (a constant-chroma colorizer).</summary>
    public static Tensor Sepia(Tensor gray)
    {
        using var scope = torch.NewDisposeScope();
        var y = gray.size(0) == 1 ? gray : ColorSpace.Luma(gray);
        var uv = torch.tensor(new[] { SepiaUv.U, SepiaUv.V }, new long[] { 2, 1, 1 }).expand(2, y.size(1), y.size(2));
        return ColorSpace.YuvToRgb(torch.cat(new[] { y, uv }, 0)).clamp(0, 1).MoveToOuterDisposeScope();
    }

    private static bool IsGray(Tensor rgb)
    {
        using var scope = torch.NewDisposeScope();
        return (rgb - rgb.mean(0, keepdim: true)).abs().max().item<float>() < 1e-6;
    }

    private static (float, float) SepiaChroma()
    {
        using var scope = torch.NewDisposeScope();
        var yuv = ColorSpace.RgbToYuv(torch.tensor(new[] { 112f / 255, 66f / 255, 20f / 255 }, new long[] { 3, 1, 1 }));
        return (0.5f * yuv[1, 0, 0].item<float>(), 0.5f * yuv[2, 0, 0].item<float>());
    }
}
