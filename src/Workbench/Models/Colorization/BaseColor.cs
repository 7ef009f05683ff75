using Workbench.Torch;

namespace Workbench.Models.Colorization;

/// <summary>
/// What Zhang et al.'s published colorizers share (richzhang/colorization, <c>colorizers/base_color.py</c>):
/// the scaling of L and ab around the networks, upstream's conv blocks, and how their released files are told apart.
/// <see cref="Eccv16Colorizer"/> and <see cref="Siggraph17Colorizer"/> use it instead of inheriting, as upstream does.
/// </summary>
internal static class BaseColor
{
    /// <summary>L is centred on 50 and divided by 100 (so [0, 100] becomes [−0.5, 0.5]).</summary>
    public const double LCent = 50, LNorm = 100;

    /// <summary>ab is divided by 110 going in and multiplied by it coming out.</summary>
    public const double AbNorm = 110;

    public static Tensor NormalizeL(Tensor l) => (l - LCent) / LNorm;

    public static Tensor NormalizeAb(Tensor ab) => ab / AbNorm;

    public static Tensor UnnormalizeAb(Tensor ab) => ab * AbNorm;

    /// <summary>One 3×3 conv of a block: channels in and out, stride and dilation (padding = dilation: same size at stride 1).</summary>
    public readonly record struct Conv(long In, long Out, long Stride = 1, long Dilation = 1);

    /// <summary>
    /// A block as upstream lists it — an optional leading ReLU, then conv 3×3 + ReLU per <paramref name="convs"/>, then
    /// BatchNorm — so the Sequential's indices (the state-dict keys) are upstream's: model1.0 conv, model1.4 BatchNorm.
    /// </summary>
    public static nn.Sequential Block(Conv[] convs, bool reluFirst = false)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        if (reluFirst) layers.Add(new nn.ReLU());
        foreach (var c in convs)
        {
            layers.Add(new nn.Conv2d(c.In, c.Out, 3, stride: c.Stride, padding: c.Dilation, dilation: c.Dilation));
            layers.Add(new nn.ReLU());
        }
        layers.Add(new nn.BatchNorm2d(convs[^1].Out));
        return new nn.Sequential(layers.ToArray());
    }

    /// <summary><paramref name="count"/> convs of <paramref name="channels"/> to <paramref name="channels"/>.</summary>
    public static Conv[] Same(long channels, int count, long dilation = 1) => Enumerable.Repeat(new Conv(channels, channels, 1, dilation), count).ToArray();

    /// <summary>The key → shape of a network's state_dict (what a released file must hold).</summary>
    public static IReadOnlyDictionary<string, long[]> StateShapes(Func<nn.Module> build)
    {
        using var scope = torch.NewDisposeScope();
        using var module = build();
        return module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
    }

    /// <summary>
    /// True when <paramref name="weights"/> hold exactly the keys of <paramref name="shapes"/> with those shapes:
    /// strict loading would succeed. BatchNorm's num_batches_tracked may be missing (files saved before PyTorch 0.4.1).
    /// </summary>
    public static bool Fits(IReadOnlyDictionary<string, Tensor> weights, IReadOnlyDictionary<string, long[]> shapes) =>
        weights.All(kv => shapes.TryGetValue(kv.Key, out var shape) && kv.Value.shape.SequenceEqual(shape))
        && shapes.Keys.All(k => weights.ContainsKey(k) || k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
}
