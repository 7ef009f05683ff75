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
public sealed record ZhangSpec(int Width = 32, double BinStep = 10, double Temperature = 0.38, double ChromaScale = 1.0)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ZhangSpec FromJson(string json) => JsonSerializer.Deserialize<ZhangSpec>(json, Json) ?? throw new ArgumentException("empty Zhang colorizer spec");

    public ZhangColorizer Build() => new(this);
}

/// <summary>
/// A <see cref="ZhangColorNet"/> with its decoding, as one image-to-image module that <c>Colorizer</c> runs like any
/// other generator: gray RGB (N, 3, H, W) in [0, 1] → the ab distribution at H/4 → annealed mean → ab upsampled
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

    /// <summary>Decode with another temperature (and chroma scale) from now on (the spec, and so a saved file, records it).</summary>
    public void SetTemperature(double temperature, double? chromaScale = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(temperature, 0);
        if (chromaScale is < 0) throw new ArgumentOutOfRangeException(nameof(chromaScale), chromaScale, "the chroma scale must be >= 0");
        Spec = Spec with { Temperature = temperature, ChromaScale = chromaScale ?? Spec.ChromaScale };
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, 3, nameof(ZhangColorizer));
        using var scope = torch.NewDisposeScope();
        var (h, w) = (x.size(2), x.size(3));
        var ab = bins.AnnealedMean(Net.call(x), Spec.Temperature) * Spec.ChromaScale;       // (N, 2, H/4, W/4)
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
