using System.Text.Json;

using Workbench.Data;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.Colorization;

/// <summary>What builds a <see cref="ZhangColorizer"/>; weights files record it, so they rebuild themselves.</summary>
/// <param name="Width">Base width of <see cref="ZhangColorNet"/>.</param>
/// <param name="BinStep">ab bin side (<see cref="AbBins"/>).</param>
/// <param name="Temperature">Annealed-mean temperature used to decode (chosen on validation photos after training).</param>
/// <param name="ChromaScale">The decoded ab is multiplied by this (a saturation control: below 1 the colorizer is
/// cautious where it is unsure, which the Lab chroma error rewards); chosen with the temperature.</param>
/// <param name="Smoothing">σ, in cells of the H/4 output grid, of a Gaussian that averages each cell's ab distribution
/// with its neighbours' before decoding (0: none). Neighbouring cells of a texture often put their mass on different
/// hues; decoded one by one they give a speckle of unrelated colours, pooled they agree. Chosen with the temperature.</param>
public sealed record ZhangSpec(int Width = 32, double BinStep = 10, double Temperature = 0.38, double ChromaScale = 1.0, double Smoothing = 0)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ZhangSpec FromJson(string json) => JsonSerializer.Deserialize<ZhangSpec>(json, Json) ?? throw new ArgumentException("empty Zhang colorizer spec");

    public ZhangColorizer Build() => new(this);
}

/// <summary>
/// A <see cref="ZhangColorNet"/> with its decoding, as one image-to-image module that <c>Colorizer</c> runs like any
/// other generator: gray RGB (N, 3, H, W) in [0, 1] → the ab distribution at H/4 (optionally pooled over neighbouring
/// cells) → annealed mean → ab upsampled
/// (bilinear) to H×W → joined with the input's L → RGB. Train <see cref="Net"/> (its logits) with
/// <c>RebalancedAbLoss</c>; the temperature only matters here.
/// </summary>
public sealed class ZhangColorizer : nn.Module<Tensor, Tensor>
{
    private readonly AbBins bins;

    public ZhangColorizer(ZhangSpec spec)
    {
        Spec = spec;
        bins = new AbBins(spec.BinStep);
        Net = register_module("net", new ZhangColorNet(bins.Count, spec.Width));
    }

    public ZhangSpec Spec { get; private set; }

    public ZhangColorNet Net { get; }

    public AbBins Bins => bins;

    /// <summary>Decode with another temperature (and chroma scale, smoothing) from now on (the spec, and so a saved file, records it).</summary>
    public void SetDecoding(double temperature, double? chromaScale = null, double? smoothing = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(temperature, 0);
        if (chromaScale is < 0) throw new ArgumentOutOfRangeException(nameof(chromaScale), chromaScale, "the chroma scale must be >= 0");
        if (smoothing is < 0) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "the smoothing sigma must be >= 0");
        Spec = Spec with { Temperature = temperature, ChromaScale = chromaScale ?? Spec.ChromaScale, Smoothing = smoothing ?? Spec.Smoothing };
    }

    /// <summary>The ab distribution (N, Q, h, w) as logits, each cell averaged with its neighbours' (Gaussian, σ = Spec.Smoothing cells).</summary>
    public Tensor PooledLogits(Tensor logits)
    {
        if (Spec.Smoothing <= 0) return logits.alias();
        using var scope = torch.NewDisposeScope();
        // Kernel to ±2σ, but reflect padding needs the pad below the grid's side (tiny inputs get a shorter kernel).
        var half = Math.Min((int)Math.Ceiling(2 * Spec.Smoothing), (int)Math.Min(logits.size(2), logits.size(3)) - 1);
        if (half < 1) return logits.alias().MoveToOuterDisposeScope();
        var p = F.gaussian_blur(F.softmax(logits.to(ScalarType.Float32), 1), 2 * half + 1, Spec.Smoothing);
        return p.clamp_min(1e-12).log().MoveToOuterDisposeScope(); // softmax(log p / T) = p^(1/T), normalized: the annealed mean of p
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, 3, nameof(ZhangColorizer));
        using var scope = torch.NewDisposeScope();
        var (h, w) = (x.size(2), x.size(3));
        var ab = bins.AnnealedMean(PooledLogits(Net.call(x)), Spec.Temperature) * Spec.ChromaScale; // (N, 2, H/4, W/4)
        ab = F.interpolate(ab, size: new nn.Size2(h, w), mode: "bilinear", align_corners: false); // (N, 2, H, W)
        var l = ColorSpace.RgbToLab(x).narrow(1, 0, 1);                                      // (N, 1, H, W)
        return ColorSpace.LabToRgb(torch.cat(new[] { l, ab }, 1)).MoveToOuterDisposeScope(); // (N, 3, H, W)
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) bins.Dispose();
    }
}

/// <summary>How a <see cref="ZhangColorizer"/> turns its distribution into a colour (see <see cref="ZhangSpec"/>).</summary>
public sealed record ZhangDecoding(double Temperature, double ChromaScale, double Smoothing)
{
    public override string ToString() =>
        FormattableString.Invariant($"T = {Temperature:F2}, chroma × {ChromaScale:F2}, smoothing σ {Smoothing:G3}");
}
