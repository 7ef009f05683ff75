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
/// <param name="PriorCorrection">α: the distribution is divided by the training's class weights to the power α before
/// decoding (0: none). Cross-entropy weighted by w(true class) is minimised by p(q) ∝ w(q)·P(q | x), so rebalancing
/// biases the network towards rare saturated colours by w; α = 1 takes that bias out, α between keeps part of it.</param>
/// <param name="Members">Networks trained separately (other seeds) whose ab distributions are averaged before decoding:
/// an ensemble. Where they guess a hue they agree on it; where each guesses a different wrong hue, the average spreads
/// and the annealed mean stays nearer gray.</param>
/// <param name="Certainty">κ: each pixel's decoded ab is further multiplied by its hue agreement to the power κ
/// (<see cref="AbBins.HueAgreement"/>: 1 where the distribution's mass points one way, 0 where it is split between
/// opposite hues); 0: off. A global chroma scale boosts the unsure pixels with the sure ones: a sky split between blue
/// and brown comes out olive. Gated, it stays near gray while the sure grass and stone keep their boost.</param>
public sealed record ZhangSpec(int Width = 32, double BinStep = 10, double Temperature = 0.38, double ChromaScale = 1.0, double Smoothing = 0,
    double PriorCorrection = 0, int Members = 1, double Certainty = 0)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static ZhangSpec FromJson(string json) => JsonSerializer.Deserialize<ZhangSpec>(json, Json) ?? throw new ArgumentException("empty Zhang colorizer spec");

    public ZhangColorizer Build() => new(this);
}

/// <summary>
/// A <see cref="ZhangColorNet"/> with its decoding, as one image-to-image module that <c>Colorizer</c> runs like any
/// other generator: gray RGB (N, 3, H, W) in [0, 1] → the ab distribution at H/4 (optionally corrected for the
/// training's class rebalancing and pooled over neighbouring cells) → annealed mean → ab upsampled
/// (bilinear) to H×W → joined with the input's L → RGB. Train <see cref="Net"/> (its logits) with
/// <c>RebalancedAbLoss</c>; the temperature only matters here.
/// </summary>
public sealed class ZhangColorizer : nn.Module<Tensor, Tensor>
{
    private readonly AbBins bins;

    public ZhangColorizer(ZhangSpec spec)
    {
        Spec = spec;
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Members, 1);
        bins = new AbBins(spec.BinStep);
        Nets = Enumerable.Range(0, spec.Members).Select(i => register_module(MemberName(i), new ZhangColorNet(bins.Count, spec.Width))).ToList();
        register_buffer(ClassLogWeightKey, torch.zeros(bins.Count));
    }

    /// <summary>Member 0 keeps the key prefix "net" a single network has always had; the others are net2, net3, ...</summary>
    private static string MemberName(int i) => i == 0 ? "net" : $"net{i + 1}";

    /// <summary>What a one-network colorizer loads: the first network's weights and the class weights (training
    /// continues an ensemble as its first network).</summary>
    public Dictionary<string, Tensor> FirstNetworkState()
    {
        var others = Enumerable.Range(1, Nets.Count - 1).Select(i => MemberName(i) + ".").ToList();
        return state_dict().Where(kv => !others.Any(prefix => kv.Key.StartsWith(prefix, StringComparison.Ordinal))).ToDictionary();
    }

    /// <summary>
    /// One colorizer whose networks are those of <paramref name="members"/> (same width and bins; copied), decoding as
    /// the first does. Their class weights must agree (trained on the same corpus with the same λ), or be unrecorded.
    /// </summary>
    public static ZhangColorizer Ensemble(IReadOnlyList<ZhangColorizer> members)
    {
        if (members.Count == 0) throw new ArgumentException("an ensemble needs at least one colorizer", nameof(members));
        var first = members[0].Spec;
        if (members.FirstOrDefault(m => m.Spec.Width != first.Width || m.Spec.BinStep != first.BinStep) is { } odd)
            throw new ArgumentException($"ensemble members must share width and bin step: {first.Width}/{first.BinStep} vs {odd.Spec.Width}/{odd.Spec.BinStep}", nameof(members));
        var ensemble = new ZhangColorizer(first with { Members = members.Sum(m => m.Nets.Count) });
        using var noGrad = torch.no_grad();
        var nets = members.SelectMany(m => m.Nets).ToList();
        for (var i = 0; i < nets.Count; i++)
            foreach (var (target, source) in ensemble.Nets[i].parameters().Zip(nets[i].parameters()).Concat(ensemble.Nets[i].buffers().Zip(nets[i].buffers())))
                target.copy_(source);
        var recorded = members.Where(m => m.HasClassWeights).ToList();
        if (recorded.Count > 0)
        {
            // Loose enough for a float16 file (log w to ~1e-3), tight against another λ or corpus.
            if (recorded.Any(m => !torch.allclose(m.ClassLogWeight, recorded[0].ClassLogWeight, 1e-2, 1e-2)))
                throw new ArgumentException("ensemble members were trained with different class weights (another corpus or λ)", nameof(members));
            ensemble.ClassLogWeight.copy_(recorded[0].ClassLogWeight);
        }
        return ensemble;
    }

    /// <summary>The state_dict key of log w, the class weights the network was trained with (zeros: none recorded).</summary>
    public const string ClassLogWeightKey = "class_log_weight";

    /// <summary>log of the rebalancing weights the network was trained with (Q); what <see cref="ZhangSpec.PriorCorrection"/> divides out.</summary>
    public Tensor ClassLogWeight => get_buffer(ClassLogWeightKey);

    /// <summary>True when the file this came from recorded its training's class weights.</summary>
    public bool HasClassWeights
    {
        get
        {
            using var scope = torch.NewDisposeScope();
            return ClassLogWeight.abs().max().item<float>() > 0;
        }
    }

    /// <summary>Records the class weights (Q) the network is trained with, so a prior correction can divide them out.</summary>
    public void SetClassWeights(Tensor weights)
    {
        if (weights.dim() != 1 || weights.size(0) != bins.Count) throw new ArgumentException($"expected {bins.Count} class weights, got [{string.Join(", ", weights.shape)}]", nameof(weights));
        using var noGrad = torch.no_grad();
        using var log = weights.to(ScalarType.Float32).log();
        ClassLogWeight.copy_(log);
    }

    public ZhangSpec Spec { get; private set; }

    /// <summary>The (first) network: what training trains.</summary>
    public ZhangColorNet Net => Nets[0];

    /// <summary>All networks of the ensemble (<see cref="ZhangSpec.Members"/>; one unless built by <see cref="Ensemble"/>).</summary>
    public IReadOnlyList<ZhangColorNet> Nets { get; }

    public AbBins Bins => bins;

    /// <summary>Decode so from now on (the spec, and so a saved file, records it); a null keeps that setting.</summary>
    public void SetDecoding(double temperature, double? chromaScale = null, double? smoothing = null, double? priorCorrection = null, double? certainty = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(temperature, 0);
        if (chromaScale is < 0) throw new ArgumentOutOfRangeException(nameof(chromaScale), chromaScale, "the chroma scale must be >= 0");
        if (smoothing is < 0) throw new ArgumentOutOfRangeException(nameof(smoothing), smoothing, "the smoothing sigma must be >= 0");
        if (priorCorrection is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(priorCorrection), priorCorrection, "the prior correction must be in [0, 1]");
        if (certainty is < 0) throw new ArgumentOutOfRangeException(nameof(certainty), certainty, "the certainty exponent must be >= 0");
        Spec = Spec with
        {
            Temperature = temperature, ChromaScale = chromaScale ?? Spec.ChromaScale, Smoothing = smoothing ?? Spec.Smoothing,
            PriorCorrection = priorCorrection ?? Spec.PriorCorrection, Certainty = certainty ?? Spec.Certainty,
        };
    }

    public void SetDecoding(ZhangDecoding d) => SetDecoding(d.Temperature, d.ChromaScale, d.Smoothing, d.PriorCorrection, d.Certainty);

    /// <summary>The decoding this colorizer uses now.</summary>
    public ZhangDecoding Decoding => new(Spec.Temperature, Spec.ChromaScale, Spec.Smoothing, Spec.PriorCorrection, Spec.Certainty);

    /// <summary>
    /// The network's logits (N, Q, h, w) as the decoder reads them: minus α·log w (the prior correction), then each
    /// cell's distribution averaged with its neighbours' (Gaussian, σ = Spec.Smoothing cells). Unchanged when both are 0.
    /// </summary>
    public Tensor DecodingLogits(Tensor logits) => DecodingLogits(new[] { logits });

    /// <summary>As <see cref="DecodingLogits(Tensor)"/> for the logits of each ensemble member: their corrected
    /// distributions are averaged, then pooled.</summary>
    public Tensor DecodingLogits(IReadOnlyList<Tensor> logits)
    {
        using var scope = torch.NewDisposeScope();
        var corrected = logits.Select(l =>
        {
            var z = l.to(ScalarType.Float32);
            return Spec.PriorCorrection > 0 ? z - ClassLogWeight.to(z.device).view(1, -1, 1, 1) * Spec.PriorCorrection : z;
        }).ToList();
        var z = corrected.Count == 1
            ? corrected[0]
            : torch.stack(corrected.Select(c => F.softmax(c, 1)).ToArray()).mean(new long[] { 0 }).clamp_min(1e-12).log();
        // Kernel to ±2σ, but reflect padding needs the pad below the grid's side (tiny inputs get a shorter kernel).
        var half = Math.Min((int)Math.Ceiling(2 * Spec.Smoothing), (int)Math.Min(z.size(2), z.size(3)) - 1);
        if (Spec.Smoothing > 0 && half >= 1)
            z = F.gaussian_blur(F.softmax(z, 1), 2 * half + 1, Spec.Smoothing).clamp_min(1e-12).log(); // softmax(log p / T) = p^(1/T), normalized
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>The ab (N, 2, h, w) the decoding reads from each member's logits (N, Q, h, w), at their grid: the
    /// annealed mean of <see cref="DecodingLogits(IReadOnlyList{Tensor})"/>, times the chroma scale and the certainty gate.</summary>
    public Tensor DecodeAb(IReadOnlyList<Tensor> logits)
    {
        using var scope = torch.NewDisposeScope();
        var z = DecodingLogits(logits);
        var ab = bins.AnnealedMean(z, Spec.Temperature) * Spec.ChromaScale;
        if (Spec.Certainty > 0) ab = ab * bins.HueAgreement(z).pow(Spec.Certainty);
        return ab.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, 3, nameof(ZhangColorizer));
        using var scope = torch.NewDisposeScope();
        var (h, w) = (x.size(2), x.size(3));
        var ab = DecodeAb(Nets.Select(n => n.call(x)).ToList());                                 // (N, 2, H/4, W/4)
        ab = F.interpolate(ab, size: new nn.Size2(h, w), mode: "bilinear", align_corners: false); // (N, 2, H, W)
        var l = ColorSpace.RgbToLab(x).narrow(1, 0, 1);                                      // (N, 1, H, W)
        return ColorSpace.LabToRgb(torch.cat(new[] { l, ab }, 1)).MoveToOuterDisposeScope(); // (N, 3, H, W)
    }

    /// <summary>Files and checkpoints without class weights (older ones, the net alone, PyTorch's twin) load with none (zeros).</summary>
    protected override void _load_from_state_dict(Dictionary<string, Tensor> state_dict, string prefix, List<string> missing_keys, List<string> unexpected_keys,
        List<string> error_msgs)
    {
        var key = prefix + ClassLogWeightKey;
        if (!state_dict.ContainsKey(key)) state_dict[key] = torch.zeros(bins.Count);
        base._load_from_state_dict(state_dict, prefix, missing_keys, unexpected_keys, error_msgs);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) bins.Dispose();
    }
}

/// <summary>How a <see cref="ZhangColorizer"/> turns its distribution into a colour (see <see cref="ZhangSpec"/>).</summary>
public sealed record ZhangDecoding(double Temperature, double ChromaScale, double Smoothing = 0, double PriorCorrection = 0, double Certainty = 0)
{
    public override string ToString() =>
        FormattableString.Invariant($"T = {Temperature:F2}, chroma × {ChromaScale:F2}, smoothing σ {Smoothing:G3}, prior correction α {PriorCorrection:G3}, certainty κ {Certainty:G3}");
}
