using Workbench.Models.Colorization;
using Workbench.Torch;

namespace Workbench.Models;

/// <summary>
/// DeOldify's published generators (jantic/DeOldify, <c>deoldify/generators.py</c>) as <see cref="DynamicUnet"/>s with
/// upstream's state-dict keys, so <c>ColorizeArtistic_gen.pth</c>, <c>ColorizeStable_gen.pth</c> and
/// <c>ColorizeVideo_gen.pth</c> load unmodified: <c>gen_inference_deep</c> (ResNet-34, DynamicUnetDeep, nf_factor 1.5) and
/// <c>gen_inference_wide</c> (ResNet-101, DynamicUnetWide, nf_factor 2), both with blur, self-attention, spectral norm
/// (and the extra BatchNorm it brings to custom_conv_layer), y_range (−3, 3), last_cross, no bottleneck, 3 outputs.
/// </summary>
public static class DeOldifyGenerators
{
    /// <summary>DeOldify's artistic generator (<c>ColorizeArtistic_gen.pth</c>).</summary>
    public static DynamicUnet Artistic() => new(new ResNet("basic", [3, 4, 6, 3], num_classes: 0), n_out: 3, blocks: "deep", nf_factor: 1.5,
        blur: true, self_attention: true, spectral: true, upstream_final_shuffle: true);

    /// <summary>DeOldify's stable generator (<c>ColorizeStable_gen.pth</c>; the video one has the same layout).</summary>
    public static DynamicUnet Stable() => new(new ResNet("bottleneck", [3, 4, 23, 3], num_classes: 0), n_out: 3, blocks: "wide", nf_factor: 2,
        blur: true, self_attention: true, spectral: true, upstream_final_shuffle: true);

    private static readonly Lazy<IReadOnlyDictionary<string, long[]>> ArtisticShapes = new(() => BaseColor.StateShapes(Artistic));
    private static readonly Lazy<IReadOnlyDictionary<string, long[]>> StableShapes = new(() => BaseColor.StateShapes(Stable));

    /// <summary>
    /// True when <paramref name="weights"/> are upstream's artistic generator: exactly its keys and shapes (BatchNorm's
    /// num_batches_tracked may be missing). A cheap look at the stem and the last shuffle comes first, so other files never
    /// build the network (to learn its shapes).
    /// </summary>
    public static bool IsArtisticLayout(IReadOnlyDictionary<string, Tensor> weights) =>
        LastShuffleFits(weights) && Shape(weights, "layers.0.4.0.conv1.weight") is [64, 64, 3, 3] && !weights.ContainsKey("layers.0.4.0.conv3.weight")
        && BaseColor.Fits(weights, ArtisticShapes.Value);

    /// <summary>True when <paramref name="weights"/> are upstream's stable (or video) generator.</summary>
    public static bool IsStableLayout(IReadOnlyDictionary<string, Tensor> weights) =>
        LastShuffleFits(weights) && Shape(weights, "layers.0.6.22.conv3.weight") is [1024, 256, 1, 1] && BaseColor.Fits(weights, StableShapes.Value);

    /// <summary>The weight-normalized last shuffle (fastai's PixelShuffle_ICNR) and the 3-channel head that only DeOldify's files have.</summary>
    private static bool LastShuffleFits(IReadOnlyDictionary<string, Tensor> weights) =>
        weights.ContainsKey("layers.8.conv.0.weight_g") && Shape(weights, "layers.11.0.weight_orig") is [3, _, 1, 1];

    private static long[]? Shape(IReadOnlyDictionary<string, Tensor> weights, string key) => weights.TryGetValue(key, out var t) ? t.shape : null;
}
