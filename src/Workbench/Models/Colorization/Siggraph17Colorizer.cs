using Workbench.Torch;

using static Workbench.Models.Colorization.BaseColor;

namespace Workbench.Models.Colorization;

/// <summary>
/// Zhang, Zhu et al. 2017, "Real-Time User-Guided Image Colorization with Learned Deep Priors" (SIGGRAPH), as released
/// in richzhang/colorization (<c>colorizers/siggraph17.py</c>, <c>SIGGRAPHGenerator</c>): L, sparse ab hints and
/// their mask in, ab out. A U-Net: blocks of 3×3 convs closed by BatchNorm, down to 1/8 by taking every other pixel
/// (not by strided convs), dilation 2 at 1/8 (blocks 5 and 6), then three transposed convs back up, each added to a
/// 3×3 conv of the encoder's features at that size (<c>model3short8</c>, <c>model2short9</c>, <c>model1short10</c>),
/// and a regression head: 1×1 conv, tanh, × 110. The classification head <c>model_class</c> (529 bins) is in the
/// released file but unused by upstream's forward; it is kept so the file loads strictly, and so are upstream's
/// module names (its unused <c>upsample4</c> and <c>softmax</c> hold no weights and are left out). Without hints upstream feeds zeros for ab and mask, as <see cref="forward(Tensor)"/> does.
/// </summary>
public sealed class Siggraph17Colorizer : nn.Module<Tensor, Tensor>
{
    /// <summary>Classes of the unused classification head in the released file.</summary>
    public const long Classes = 529;

    /// <summary>Input sides must be multiples of this: three halvings, and the decoder adds skips of the same size.</summary>
    public const int Stride = 8;

    private readonly nn.Sequential model1, model2, model3, model4, model5, model6, model7;
    private readonly nn.Sequential model8up, model8, model9up, model9, model10up, model10;
    private readonly nn.Sequential model3short8, model2short9, model1short10;
    private readonly nn.Sequential model_class, model_out;

    public Siggraph17Colorizer()
    {
        model1 = register_module("model1", Block([new(4, 64), new(64, 64)]));
        model2 = register_module("model2", Block([new(64, 128), new(128, 128)]));
        model3 = register_module("model3", Block([new(128, 256), .. Same(256, 2)]));
        model4 = register_module("model4", Block([new(256, 512), .. Same(512, 2)]));
        model5 = register_module("model5", Block(Same(512, 3, dilation: 2)));
        model6 = register_module("model6", Block(Same(512, 3, dilation: 2)));
        model7 = register_module("model7", Block(Same(512, 3)));
        model8up = register_module("model8up", new nn.Sequential(new nn.ConvTranspose2d(512, 256, 4, stride: 2, padding: 1)));
        model8 = register_module("model8", Block(Same(256, 2), reluFirst: true));
        model9up = register_module("model9up", new nn.Sequential(new nn.ConvTranspose2d(256, 128, 4, stride: 2, padding: 1)));
        model9 = register_module("model9", Block(Same(128, 1), reluFirst: true));
        model10up = register_module("model10up", new nn.Sequential(new nn.ConvTranspose2d(128, 128, 4, stride: 2, padding: 1)));
        model10 = register_module("model10", new nn.Sequential(new nn.ReLU(), new nn.Conv2d(128, 128, 3, padding: 1), new nn.LeakyReLU(0.2)));
        model3short8 = register_module("model3short8", new nn.Sequential(new nn.Conv2d(256, 256, 3, padding: 1)));
        model2short9 = register_module("model2short9", new nn.Sequential(new nn.Conv2d(128, 128, 3, padding: 1)));
        model1short10 = register_module("model1short10", new nn.Sequential(new nn.Conv2d(64, 128, 3, padding: 1)));
        model_class = register_module("model_class", new nn.Sequential(new nn.Conv2d(256, Classes, 1)));
        model_out = register_module("model_out", new nn.Sequential(new nn.Conv2d(128, 2, 1), new nn.Tanh()));
    }

    /// <summary>ab (N, 2, H, W), unnormalised (within ±110), for L (N, 1, H, W) in [0, 100] and no hints.</summary>
    public override Tensor forward(Tensor l) => forward(l, null, null);

    /// <summary>
    /// ab for L with user hints: <paramref name="ab"/> (N, 2, H, W), unnormalised, where <paramref name="mask"/>
    /// (N, 1, H, W) is 1 (upstream's input_B and mask_B); zeros where null. H and W must be multiples of 8.
    /// </summary>
    public Tensor forward(Tensor l, Tensor? ab, Tensor? mask)
    {
        ShapeChecks.Image(l, 1, nameof(Siggraph17Colorizer));
        ShapeChecks.Divisible(l, Stride, nameof(Siggraph17Colorizer));
        using var scope = torch.NewDisposeScope();
        ab ??= torch.cat([l * 0, l * 0], 1);
        mask ??= l * 0;
        var conv1_2 = model1.call(torch.cat([NormalizeL(l), NormalizeAb(ab), mask], 1));  // (N, 64, H, W)
        var conv2_2 = model2.call(EveryOther(conv1_2));                                      // (N, 128, H/2, W/2)
        var conv3_3 = model3.call(EveryOther(conv2_2));                                      // (N, 256, H/4, W/4)
        var conv4_3 = model4.call(EveryOther(conv3_3));                                      // (N, 512, H/8, W/8)
        var conv7_3 = model7.call(model6.call(model5.call(conv4_3)));                        // (N, 512, H/8, W/8)
        var conv8_3 = model8.call(model8up.call(conv7_3) + model3short8.call(conv3_3));      // (N, 256, H/4, W/4)
        var conv9_3 = model9.call(model9up.call(conv8_3) + model2short9.call(conv2_2));      // (N, 128, H/2, W/2)
        var conv10_2 = model10.call(model10up.call(conv9_3) + model1short10.call(conv1_2));  // (N, 128, H, W)
        // Upstream computes conv9 to out_reg twice and returns the second; in eval mode both are this.
        return UnnormalizeAb(model_out.call(conv10_2)).MoveToOuterDisposeScope();          // (N, 2, H, W)
    }

    /// <summary>x[:, :, ::2, ::2]: upstream halves by subsampling.</summary>
    private static Tensor EveryOther(Tensor x) => x.slice(2, 0, x.size(2), 2).slice(3, 0, x.size(3), 2);

    private static readonly Lazy<IReadOnlyDictionary<string, long[]>> Shapes = new(() => StateShapes(() => new Siggraph17Colorizer()));

    /// <summary>
    /// True for the released file's state_dict (and any saved from <c>SIGGRAPHGenerator</c>): exactly this network's
    /// keys and shapes. Anything without <c>model_class.0.weight</c> of (529, 256, 1, 1) is refused before the comparison.
    /// </summary>
    public static bool IsUpstreamLayout(IReadOnlyDictionary<string, Tensor> weights) =>
        weights.TryGetValue("model_class.0.weight", out var w) && w.shape.SequenceEqual([Classes, 256L, 1, 1]) && weights.ContainsKey("model1short10.0.weight")
        && Fits(weights, Shapes.Value);
}
