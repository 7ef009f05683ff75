using System.Globalization;

using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// ESPCN (Shi et al. 2016, "Real-Time Single Image and Video Super-Resolution Using an Efficient Sub-Pixel
/// Convolutional Neural Network") as the SR notes run it: three convolutions in low resolution and a
/// PixelShuffle. The notes' changes to the paper: LeakyReLU(0.1) instead of tanh (tanh saturates, so bright
/// and dark areas came out "burnt"), no output activation, 64 → 128 channels (still fast), one learning rate.
/// Field names are the keys of the notes' <c>GeneratorESPCN</c> in the authors' repository: <c>layers.0</c>, <c>layers.2</c>,
/// <c>pixel_shuffle.0</c>; the listing printed in the notes puts the last conv in <c>layers</c> too (<c>layers.4</c>),
/// which <see cref="FromNotesLayout"/> and <see cref="ToNotesLayout"/> map both ways.
/// </summary>
public sealed class Espcn : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    private readonly nn.Sequential layers;
    private readonly UpsampleHead pixel_shuffle;

    /// <param name="scale">Upscaling factor r (2, 3 or 4; any r ≥ 1 works).</param>
    /// <param name="channels">Feature channels of the two hidden convs (paper 64, the notes 128).</param>
    /// <param name="in_channels">Image channels in and out.</param>
    /// <param name="head">Upsampling tail; default: conv3x3 to in_channels·r² and PixelShuffle(r), the paper's sub-pixel layer.</param>
    public Espcn(long scale = 2, long channels = 64, long in_channels = 3, UpsampleHead? head = null)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 1 or more");
        if (head is not null && (head.scale != scale || head.in_channels != channels || head.out_channels != in_channels))
            throw new ArgumentException($"the head upsamples {head.in_channels} → {head.out_channels} channels by {head.scale}, the network needs {channels} → {in_channels} by {scale}", nameof(head));
        this.scale = scale;
        this.channels = channels;
        this.in_channels = in_channels;
        layers = register_module("layers", new nn.Sequential(
            new nn.Conv2d(in_channels, channels, 5, padding: "same"),
            new nn.LeakyReLU(0.1),
            new nn.Conv2d(channels, channels, 3, padding: "same"),
            new nn.LeakyReLU(0.1)));
        pixel_shuffle = register_module("pixel_shuffle", head ?? new UpsampleHead(channels, scale, out_channels: in_channels));
    }

    public long scale { get; }
    public long channels { get; }
    public long in_channels { get; }

    public string Architecture => "espcn";

    long ISuperResolutionNet.Scale => scale;

    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["channels"] = channels.ToString(CultureInfo.InvariantCulture),
        ["in_channels"] = in_channels.ToString(CultureInfo.InvariantCulture),
    }.WithHead(pixel_shuffle, isDefault: pixel_shuffle.steps == UpsampleSteps.OneStep && pixel_shuffle.convs_after == 0);

    /// <summary>Built from a weights file's metadata (see <see cref="SuperResolutionModels"/>).</summary>
    internal static Espcn FromHyperparameters(long scale, IReadOnlyDictionary<string, string> h)
    {
        var channels = h.Long("channels", 64);
        var inChannels = h.Long("in_channels", 3);
        return new Espcn(scale, channels, inChannels, h.Head(channels, scale, inChannels));
    }

    // ---- the SR notes' other key layout ------------------------------------------------------------

    /// <summary>
    /// True for the layout of the notes' printed <c>GeneratorESPCN</c>: all three convs in one nn.Sequential,
    /// <c>layers.0</c>, <c>layers.2</c> and <c>layers.4</c> (the sub-pixel conv; LeakyReLU and PixelShuffle have no weights).
    /// </summary>
    public static bool IsNotesLayout(IEnumerable<string> keys)
    {
        var set = keys.ToHashSet(StringComparer.Ordinal);
        return set.Contains("layers.0.weight") && set.Contains("layers.4.weight") && !set.Any(k => k.StartsWith("pixel_shuffle.", StringComparison.Ordinal));
    }

    /// <summary>The notes' <c>layers.4.*</c> renamed to ours, <c>pixel_shuffle.0.*</c>; other layouts are returned as they are. The tensors are shared, not copied.</summary>
    public static IReadOnlyDictionary<string, Tensor> FromNotesLayout(IReadOnlyDictionary<string, Tensor> weights) =>
        IsNotesLayout(weights.Keys) ? weights.ToDictionary(kv => Rename(kv.Key, "layers.4.", "pixel_shuffle.0."), kv => kv.Value) : weights;

    /// <summary>
    /// A state_dict of ours in the notes' layout (<c>pixel_shuffle.0.*</c> → <c>layers.4.*</c>), for PyTorch code that
    /// builds the notes' <c>GeneratorESPCN</c>. Only the default one-step head maps; the tensors are shared, not copied.
    /// </summary>
    public static Dictionary<string, Tensor> ToNotesLayout(IReadOnlyDictionary<string, Tensor> state)
    {
        var head = state.Keys.Where(k => k.StartsWith("pixel_shuffle.", StringComparison.Ordinal)).ToList();
        if (head.Any(k => !k.StartsWith("pixel_shuffle.0.", StringComparison.Ordinal)))
            throw new ArgumentException($"only ESPCN's default head (one conv + PixelShuffle) has a place in the notes' layout; this one has {string.Join(", ", head)}");
        return state.ToDictionary(kv => Rename(kv.Key, "pixel_shuffle.0.", "layers.4."), kv => kv.Value);
    }

    private static string Rename(string key, string from, string to) =>
        key.StartsWith(from, StringComparison.Ordinal) ? to + key[from.Length..] : key;

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, in_channels, nameof(Espcn));
        using var scope = torch.NewDisposeScope();
        var features = layers.call(x);         // (N, C, H, W), C = channels
        var y = pixel_shuffle.call(features);  // (N, in_channels, H·r, W·r)
        return y.MoveToOuterDisposeScope();
    }
}
