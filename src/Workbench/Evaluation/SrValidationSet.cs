using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Evaluation;

/// <summary>PSNR and SSIM on Y (border cropped by the scale) of a model and of bicubic, per held-out image and averaged.</summary>
public sealed record SrScores(IReadOnlyList<string> Images, IReadOnlyList<double> PsnrY, IReadOnlyList<double> SsimY, IReadOnlyList<double> BicubicPsnrY, IReadOnlyList<double> BicubicSsimY)
{
    public double MeanPsnrY => PsnrY.Average();
    public double MeanSsimY => SsimY.Average();
    public double MeanBicubicPsnrY => BicubicPsnrY.Average();
    public double MeanBicubicSsimY => BicubicSsimY.Average();

    /// <summary>Model PSNR − bicubic PSNR, dB (mean over images).</summary>
    public double PsnrGain => MeanPsnrY - MeanBicubicPsnrY;

    /// <summary>The values a Validation callback logs (TensorBoard validation/…).</summary>
    public IReadOnlyDictionary<string, double> ToMetrics() => new Dictionary<string, double>
    {
        ["psnr_y"] = MeanPsnrY,
        ["ssim_y"] = MeanSsimY,
        ["psnr_y_bicubic"] = MeanBicubicPsnrY,
        ["ssim_y_bicubic"] = MeanBicubicSsimY,
        ["psnr_y_gain"] = PsnrGain,
    };

    /// <summary>A plain-text table, one row per image and a mean row.</summary>
    public string ToTable()
    {
        var text = new StringBuilder();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"image",-12} {"PSNR-Y",8} {"bicubic",8} {"gain",6} {"SSIM-Y",7} {"bicubic",7}"));
        for (var i = 0; i < Images.Count; i++)
            text.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{Images[i],-12} {PsnrY[i],8:F2} {BicubicPsnrY[i],8:F2} {Signed(PsnrY[i] - BicubicPsnrY[i]),6} {SsimY[i],7:F4} {BicubicSsimY[i],7:F4}"));
        text.Append(string.Create(CultureInfo.InvariantCulture, $"{"mean",-12} {MeanPsnrY,8:F2} {MeanBicubicPsnrY,8:F2} {Signed(PsnrGain),6} {MeanSsimY,7:F4} {MeanBicubicSsimY,7:F4}"));
        return text.ToString();
    }

    /// <summary>Per-image and mean scores as indented JSON (names as <see cref="ToMetrics"/>); <paramref name="about"/> adds top-level strings (model, data).</summary>
    public string ToJson(IReadOnlyDictionary<string, string>? about = null)
    {
        static JsonNode? N(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null; // identical images: PSNR +∞
        var root = new JsonObject();
        foreach (var (k, v) in about ?? new Dictionary<string, string>()) root[k] = v;
        var mean = new JsonObject();
        foreach (var (k, v) in ToMetrics()) mean[k] = N(v);
        root["mean"] = mean;
        root["images"] = new JsonArray(Images.Select((name, i) => (JsonNode)new JsonObject
        {
            ["image"] = name,
            ["psnr_y"] = N(PsnrY[i]),
            ["ssim_y"] = N(SsimY[i]),
            ["psnr_y_bicubic"] = N(BicubicPsnrY[i]),
            ["ssim_y_bicubic"] = N(BicubicSsimY[i]),
        }).ToArray());
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>"+0.42" / "-0.07" (a custom "+0.00;-0.00" format prints "-+0.00" for tiny negatives).</summary>
    public static string Signed(double value) => (value >= 0 ? "+" : "") + value.ToString("F2", CultureInfo.InvariantCulture);
}

/// <summary>
/// The held-out super-resolution benchmark: centre crops of the test photos (never trained on), their inputs made
/// with one fixed, clean degradation (antialiased bicubic downscale, as Pillow/MATLAB's imresize), and the bicubic
/// upscale of those inputs as the baseline. The model runs through <see cref="Upscaler"/> (reflect-padded borders,
/// no autograd), i.e. exactly as <c>workbench upscale</c> would run it. Both outputs are clamped and rounded to
/// 8 bits, as saved images are, before scoring.
/// </summary>
public sealed class SrValidationSet : IDisposable
{
    private readonly List<(string Name, Tensor Target, Tensor Input)> items;
    private readonly List<(double Psnr, double Ssim)> bicubic;

    private SrValidationSet(int scale, List<(string, Tensor, Tensor)> items, List<(double, double)> bicubic)
    {
        Scale = scale;
        this.items = items;
        this.bicubic = bicubic;
    }

    public int Scale { get; }

    public int Count => items.Count;

    public IEnumerable<string> Names => items.Select(i => i.Name);

    /// <param name="dir">Folder of held-out photos (sorted by name).</param>
    /// <param name="scale">Upscaling factor judged.</param>
    /// <param name="crop">Side of the centre crop (high resolution), clipped to the photo and to a multiple of the scale; 0 = whole photos.</param>
    /// <param name="maxImages">Use only the first this many photos (smoke tests); 0 = all.</param>
    public static SrValidationSet Load(string dir, int scale, int crop = 256, int maxImages = 0)
    {
        var files = ImagesDataset.FromDirsRecursive([dir]).Files;
        if (files.Count == 0) throw new FileNotFoundException($"no held-out images under '{dir}'; build the default set with 'workbench data init'");
        if (maxImages > 0) files = files.Take(maxImages).ToList();
        var items = new List<(string, Tensor, Tensor)>();
        var scores = new List<(double, double)>();
        foreach (var file in files)
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(file);
            var (h, w) = ((int)image.size(1), (int)image.size(2));
            var (ch, cw) = crop > 0 ? (Math.Min(crop, h), Math.Min(crop, w)) : (h, w);
            (ch, cw) = (ch - ch % scale, cw - cw % scale);
            if (ch < 8 * scale || cw < 8 * scale) throw new InvalidDataException($"'{file}' is too small ({w}x{h}) to validate x{scale}");
            var target = ImageCrop.CenterCrop(image, ch, cw).contiguous();
            var input = ImageResize.Resize(target, ch / scale, cw / scale, InterpolationMode.Bicubic, antialias: true);
            var baseline = ImageResize.Resize(input, ch, cw, InterpolationMode.Bicubic, antialias: true);
            scores.Add(Score(baseline, target, scale));
            items.Add((Path.GetFileNameWithoutExtension(file), target.DetachFromDisposeScope(), input.DetachFromDisposeScope()));
        }
        return new SrValidationSet(scale, items, scores);
    }

    /// <summary>Scores <paramref name="model"/> (any SR network of this scale); its train/eval mode is restored afterwards.</summary>
    public SrScores Evaluate(nn.Module<Tensor, Tensor> model)
    {
        var wasTraining = model.training;
        var upscaler = new Upscaler(model, Scale, new UpscaleOptions { Tile = 0 }); // puts the model in eval mode
        try
        {
            var psnr = new List<double>();
            var ssim = new List<double>();
            foreach (var (_, target, input) in items)
            {
                using var scope = torch.NewDisposeScope();
                var (p, s) = Score(upscaler.Upscale(input), target, Scale);
                psnr.Add(p);
                ssim.Add(s);
            }
            return new SrScores(items.Select(i => i.Name).ToList(), psnr, ssim, bicubic.Select(b => b.Psnr).ToList(), bicubic.Select(b => b.Ssim).ToList());
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    private static (double Psnr, double Ssim) Score(Tensor output, Tensor target, int scale)
    {
        using var scope = torch.NewDisposeScope();
        var saved = output.clamp(0.0, 1.0).mul(255).round().div(255).unsqueeze(0);
        var reference = target.unsqueeze(0);
        return (Psnr.OnY(saved, reference, crop: scale).item<double>(), Ssim.OnY(saved, reference, crop: scale).item<double>());
    }

    public void Dispose()
    {
        foreach (var (_, target, input) in items)
        {
            target.Dispose();
            input.Dispose();
        }
        items.Clear();
    }
}
