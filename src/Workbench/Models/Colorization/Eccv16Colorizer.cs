using Workbench.Torch;

using static Workbench.Models.Colorization.BaseColor;

namespace Workbench.Models.Colorization;

/// <summary>
/// Zhang, Isola and Efros 2016, "Colorful Image Colorization" (ECCV), as released in richzhang/colorization
/// (<c>colorizers/eccv16.py</c>, <c>ECCVGenerator</c>): L in, ab out. Eight blocks of 3×3 convs, each block closed
/// by BatchNorm, go down to 1/8 by strided convs, stay there with dilation 2 (blocks 5 and 6), and come back to 1/4
/// with a transposed conv; a 1×1 conv gives 313 logits over the ab bins, a softmax their distribution, and a 1×1 conv
/// without bias (<c>model_out</c>, whose weights are the bins' ab centres / 110) its mean, upsampled ×4 (bilinear).
/// That mean is the distribution's expectation, not the paper's annealed mean (T = 0.38): upstream's PyTorch release
/// decodes so, and so does this. Module names are upstream's (<c>model1</c> … <c>model8</c>, <c>model_out</c>), so
/// <c>colorization_release_v2-9b330a0b.pth</c> loads as it is.
/// </summary>
public sealed class Eccv16Colorizer : nn.Module<Tensor, Tensor>
{
    /// <summary>The ab bins of the paper's 10-unit grid that are in gamut.</summary>
    public const long Bins = 313;

    private readonly nn.Sequential model1, model2, model3, model4, model5, model6, model7, model8;
    private readonly nn.Softmax softmax;
    private readonly nn.Conv2d model_out;
    private readonly nn.Upsample upsample4;

    public Eccv16Colorizer()
    {
        model1 = register_module("model1", Block([new(1, 64), new(64, 64, Stride: 2)]));                          // 1/2
        model2 = register_module("model2", Block([new(64, 128), new(128, 128, Stride: 2)]));                       // 1/4
        model3 = register_module("model3", Block([new(128, 256), new(256, 256), new(256, 256, Stride: 2)]));       // 1/8
        model4 = register_module("model4", Block([new(256, 512), .. Same(512, 2)]));
        model5 = register_module("model5", Block(Same(512, 3, dilation: 2)));
        model6 = register_module("model6", Block(Same(512, 3, dilation: 2)));
        model7 = register_module("model7", Block(Same(512, 3)));
        model8 = register_module("model8", new nn.Sequential(                                                     // 1/4
            new nn.ConvTranspose2d(512, 256, 4, stride: 2, padding: 1), new nn.ReLU(),
            new nn.Conv2d(256, 256, 3, padding: 1), new nn.ReLU(),
            new nn.Conv2d(256, 256, 3, padding: 1), new nn.ReLU(),
            new nn.Conv2d(256, Bins, 1)));
        softmax = register_module("softmax", new nn.Softmax(1));
        model_out = register_module("model_out", new nn.Conv2d(Bins, 2, 1, bias: false));
        upsample4 = register_module("upsample4", new nn.Upsample(scale_factor: 4, mode: "bilinear"));
    }

    /// <summary>ab (N, 2, H, W), unnormalised (roughly ±110), for L (N, 1, H, W) in [0, 100]; H and W multiples of 8 come back the same size.</summary>
    public override Tensor forward(Tensor l)
    {
        ShapeChecks.Image(l, 1, nameof(Eccv16Colorizer));
        using var scope = torch.NewDisposeScope();
        var x = model1.call(NormalizeL(l));                                        // (N, 64, H/2, W/2)
        x = model3.call(model2.call(x));                                           // (N, 256, H/8, W/8)
        x = model7.call(model6.call(model5.call(model4.call(x))));                 // (N, 512, H/8, W/8)
        var logits = model8.call(x);                                               // (N, 313, H/4, W/4)
        var ab = model_out.call(softmax.call(logits));                             // (N, 2, H/4, W/4): E[ab] / 110
        return UnnormalizeAb(upsample4.call(ab)).MoveToOuterDisposeScope();        // (N, 2, H, W)
    }

    private static readonly Lazy<IReadOnlyDictionary<string, long[]>> Shapes = new(() => StateShapes(() => new Eccv16Colorizer()));

    /// <summary>
    /// True for the released file's state_dict (and any saved from <c>ECCVGenerator</c>): exactly this network's keys
    /// and shapes. Anything without <c>model_out.weight</c> of (2, 313, 1, 1) is refused before the comparison.
    /// </summary>
    public static bool IsUpstreamLayout(IReadOnlyDictionary<string, Tensor> weights) =>
        weights.TryGetValue("model_out.weight", out var w) && w.shape.SequenceEqual([2L, Bins, 1, 1]) && weights.ContainsKey("model8.6.weight")
        && Fits(weights, Shapes.Value);
}
