using Workbench.Data;
using Workbench.Models.Colorization;
using Workbench.Torch;

using static Workbench.Export.OnnxExporter;

namespace Workbench.Export;

/// <summary>
/// ONNX ops of a <see cref="ZhangColorizer"/>'s whole forward, its decoding included, so that a runtime outside
/// Workbench (onnxruntime-web in <c>workbench export web</c>) gives the same colours as <c>workbench colorize</c>:
/// gray RGB (N, 3, H, W) in [0, 1] → L → each member's logits → prior correction, ensemble average, Gaussian pooling
/// of neighbouring cells → annealed mean × chroma scale → bilinear to H×W → joined with L → RGB (N, 3, H, W).
/// H and W must be at least <see cref="ZhangColorNet.MinSide"/> and multiples of <see cref="ZhangColorNet.Stride"/>
/// (Colorizer pads to 32; the graph leaves out the network's replicate padding of tinier inputs, and its pooling
/// kernel is the full ±⌈2σ⌉, which equals Workbench's whenever the quarter grid is wider than that).
/// </summary>
internal static class OnnxZhangColorizer
{
    // skimage.color's constants, as ColorSpace uses them.
    private static readonly double[,] XyzFromRgb =
    {
        { 0.412453, 0.357580, 0.180423 },
        { 0.212671, 0.715160, 0.072169 },
        { 0.019334, 0.119193, 0.950227 },
    };

    private static readonly double[] D65 = { 0.95047, 1.0, 1.08883 };

    public static string Emit(OnnxGraph g, ZhangColorizer model, string x, string name)
    {
        var spec = model.Spec;
        var lab = Join(name, "lab");
        var l = Lightness(g, x, lab);                                                                  // (N, 1, H, W), 0..100
        var netInput = g.Node("Sub", lab, new[] { g.Node("Div", lab, new[] { l, g.Scalar(Join(lab, "fifty"), 50) }), g.Scalar(Join(lab, "one"), 1) });
        var logits = model.Nets.Select((net, i) => Net(g, net, netInput, Join(name, i == 0 ? "net" : $"net{i + 1}"))).ToList();
        var dec = Join(name, "decode");
        if (spec.PriorCorrection > 0)
        {
            using var scope = torch.NewDisposeScope();
            var correction = g.Initializer(Join(dec, "prior"), (model.ClassLogWeight * spec.PriorCorrection).view(1, -1, 1, 1), weight: false);
            logits = logits.Select(z => g.Node("Sub", dec, new[] { z, correction })).ToList();
        }
        var tiny = g.Scalar(Join(dec, "tiny"), 1e-12f);
        var z = logits[0];
        if (logits.Count > 1)
        {
            // The members' distributions averaged, back to log space (as DecodingLogits).
            var sum = g.Node("Sum", dec, logits.Select(v => g.Node("Softmax", dec, new[] { v }, ("axis", 1L))).ToArray());
            var mean = g.Node("Div", dec, new[] { sum, g.Scalar(Join(dec, "members"), logits.Count) });
            z = g.Node("Log", dec, new[] { g.Node("Max", dec, new[] { mean, tiny }) });
        }
        var half = (int)Math.Ceiling(2 * spec.Smoothing);
        if (spec.Smoothing > 0 && half >= 1) z = g.Node("Log", dec, new[] { g.Node("Max", dec, new[] { Blur(g, g.Node("Softmax", dec, new[] { z }, ("axis", 1L)), model.Bins.Count, half, spec.Smoothing, dec), tiny }) });
        var p = g.Node("Softmax", dec, new[] { g.Node("Div", dec, new[] { z, g.Scalar(Join(dec, "temperature"), (float)spec.Temperature) }) }, ("axis", 1L));
        string ab;
        using (var scope = torch.NewDisposeScope())
        {
            // einsum("nqhw,qc->nchw", p, centres) as a 1×1 conv; the chroma scale folded into the centres would round
            // differently, so it stays a Mul.
            var centres = model.Bins.Centers.t().contiguous().view(2, -1, 1, 1);
            ab = g.Node("Conv", dec, new[] { p, g.Initializer(Join(dec, "centres"), centres, weight: false) }, ("kernel_shape", new long[] { 1, 1 }));
        }
        ab = g.Node("Mul", dec, new[] { ab, g.Scalar(Join(dec, "chroma_scale"), (float)spec.ChromaScale) });
        ab = ResizeBilinearLike(g, ab, x, Join(name, "upsample"));
        return LabToRgb(g, l, ab, Join(name, "rgb"));
    }

    /// <summary>ZhangColorNet's forward on its [−1, 1] lightness input (reflect-padded convs, BN, ReLU; logits cropped to H/4, W/4).</summary>
    private static string Net(OnnxGraph g, ZhangColorNet net, string l, string name)
    {
        var quarter = OnnxExporter.Emit(g, net.get_submodule("down2"), OnnxExporter.Emit(g, net.get_submodule("down1"), l, Join(name, "down1")), Join(name, "down2"));
        var h = OnnxExporter.Emit(g, net.get_submodule("dilated"), OnnxExporter.Emit(g, net.get_submodule("down3"), quarter, Join(name, "down3")), Join(name, "dilated"));
        h = OnnxExporter.Emit(g, net.get_submodule("up"), h, Join(name, "up"));
        h = OnnxExporter.Emit(g, net.get_submodule("fuse"), g.Node("Concat", Join(name, "cat"), new[] { h, quarter }, ("axis", 1L)), Join(name, "fuse"));
        return OnnxExporter.Emit(g, net.get_submodule("head"), h, Join(name, "head"));
    }

    /// <summary>CIE L* (skimage's rgb2lab) of RGB (N, 3, H, W): sRGB decode, Y = XYZ row 2 / white, f(Y), 116 f − 16.</summary>
    private static string Lightness(OnnxGraph g, string rgb, string name)
    {
        var knee = g.Scalar(Join(name, "srgb_knee"), 0.04045f);
        var curve = g.Node("Pow", name, new[]
        {
            g.Node("Div", name, new[] { g.Node("Add", name, new[] { g.Node("Max", name, new[] { rgb, knee }), g.Scalar(Join(name, "c055"), 0.055f) }), g.Scalar(Join(name, "c1055"), 1.055f) }),
            g.Scalar(Join(name, "gamma"), 2.4f),
        });
        var linear = g.Node("Where", name, new[] { g.Node("Greater", name, new[] { rgb, knee }), curve, g.Node("Div", name, new[] { rgb, g.Scalar(Join(name, "c1292"), 12.92f) }) });
        string y;
        using (var scope = torch.NewDisposeScope())
        {
            var row = new[] { 0, 1, 2 }.Select(j => (float)(XyzFromRgb[1, j] / D65[1])).ToArray();
            y = g.Node("Conv", name, new[] { linear, g.Initializer(Join(name, "xyz_y"), torch.tensor(row, new long[] { 1, 3, 1, 1 }), weight: false) }, ("kernel_shape", new long[] { 1, 1 }));
        }
        var lab = g.Scalar(Join(name, "lab_knee"), 0.008856f);
        var f = g.Node("Where", name, new[]
        {
            g.Node("Greater", name, new[] { y, lab }),
            g.Node("Pow", name, new[] { g.Node("Max", name, new[] { y, lab }), g.Scalar(Join(name, "third"), (float)(1.0 / 3)) }),
            g.Node("Add", name, new[] { g.Node("Mul", name, new[] { y, g.Scalar(Join(name, "c7787"), 7.787f) }), g.Scalar(Join(name, "c16_116"), (float)(16.0 / 116)) }),
        });
        return g.Node("Sub", name, new[] { g.Node("Mul", name, new[] { f, g.Scalar(Join(name, "c116"), 116) }), g.Scalar(Join(name, "c16"), 16) });
    }

    /// <summary>skimage's lab2rgb of L (N, 1, H, W) and ab (N, 2, H, W): negative Z set to 0, RGB clipped to [0, 1].</summary>
    private static string LabToRgb(OnnxGraph g, string l, string ab, string name)
    {
        var parts = g.NodeN("Split", name, new[] { ab, g.Int64s(Join(name, "split"), 1, 1) }, 2, ("axis", 1L));
        var fy = g.Node("Div", name, new[] { g.Node("Add", name, new[] { l, g.Scalar(Join(name, "c16"), 16) }), g.Scalar(Join(name, "c116"), 116) });
        var fx = g.Node("Add", name, new[] { g.Node("Div", name, new[] { parts[0], g.Scalar(Join(name, "c500"), 500) }), fy });
        var fz = g.Node("Max", name, new[] { g.Node("Sub", name, new[] { fy, g.Node("Div", name, new[] { parts[1], g.Scalar(Join(name, "c200"), 200) }) }), g.Scalar(Join(name, "zero"), 0) });
        var f = g.Node("Concat", name, new[] { fx, fy, fz }, ("axis", 1L));
        var xyz = g.Node("Where", name, new[]
        {
            g.Node("Greater", name, new[] { f, g.Scalar(Join(name, "knee"), 0.2068966f) }),
            g.Node("Pow", name, new[] { f, g.Scalar(Join(name, "three"), 3) }),
            g.Node("Div", name, new[] { g.Node("Sub", name, new[] { f, g.Scalar(Join(name, "c16_116"), (float)(16.0 / 116)) }), g.Scalar(Join(name, "c7787"), 7.787f) }),
        });
        string linear;
        using (var scope = torch.NewDisposeScope())
        {
            xyz = g.Node("Mul", name, new[] { xyz, g.Initializer(Join(name, "white"), torch.tensor(D65.Select(v => (float)v).ToArray(), new long[] { 1, 3, 1, 1 }), weight: false) });
            var m = ColorSpace.Inverse(XyzFromRgb);
            var weight = Enumerable.Range(0, 9).Select(k => (float)m[k / 3, k % 3]).ToArray();
            linear = g.Node("Conv", name, new[] { xyz, g.Initializer(Join(name, "rgb_from_xyz"), torch.tensor(weight, new long[] { 3, 3, 1, 1 }), weight: false) }, ("kernel_shape", new long[] { 1, 1 }));
        }
        var knee = g.Scalar(Join(name, "srgb_knee"), 0.0031308f);
        var curve = g.Node("Sub", name, new[]
        {
            g.Node("Mul", name, new[] { g.Node("Pow", name, new[] { g.Node("Max", name, new[] { linear, knee }), g.Scalar(Join(name, "inv_gamma"), (float)(1 / 2.4)) }), g.Scalar(Join(name, "c1055"), 1.055f) }),
            g.Scalar(Join(name, "c055"), 0.055f),
        });
        var rgb = g.Node("Where", name, new[] { g.Node("Greater", name, new[] { linear, knee }), curve, g.Node("Mul", name, new[] { linear, g.Scalar(Join(name, "c1292"), 12.92f) }) });
        return g.Node("Min", name, new[] { g.Node("Max", name, new[] { rgb, g.Scalar(Join(name, "lo"), 0) }), g.Scalar(Join(name, "hi"), 1) });
    }

    /// <summary>F.gaussian_blur (reflect padding, two 1-D passes of the normalized float32 kernel) on each of <paramref name="channels"/> planes.</summary>
    private static string Blur(OnnxGraph g, string x, long channels, int half, double sigma, string name)
    {
        var k = 2 * half + 1;
        using var scope = torch.NewDisposeScope();
        // As Workbench.Torch's GaussianKernel1d (torchvision's): linspace, /σ, ², ×−½, exp, / sum, in float32.
        var kernel = torch.linspace(-half, half, k).div(sigma).pow(2).mul(-0.5).exp();
        kernel = kernel.div(kernel.sum());
        var padded = g.Node("Pad", name, new[] { x, g.Int64s(Join(name, "blur_pads"), 0, 0, half, half, 0, 0, half, half) }, ("mode", "reflect"));
        var horizontal = g.Node("Conv", name, new[] { padded, g.Initializer(Join(name, "blur_x"), kernel.view(1, 1, 1, k).expand(channels, 1, 1, k), weight: false) },
            ("kernel_shape", new long[] { 1, k }), ("group", channels));
        return g.Node("Conv", name, new[] { horizontal, g.Initializer(Join(name, "blur_y"), kernel.view(1, 1, k, 1).expand(channels, 1, k, 1), weight: false) },
            ("kernel_shape", new long[] { k, 1 }), ("group", channels));
    }

    /// <summary>F.interpolate(x, like's H×W, "bilinear", align_corners=False).</summary>
    private static string ResizeBilinearLike(OnnxGraph g, string x, string like, string name)
    {
        var nc = g.Node("Slice", name, new[] { g.Node("Shape", name, new[] { x }), g.Int64s(Join(name, "s0"), 0), g.Int64s(Join(name, "s2"), 2) });
        var hw = g.Node("Slice", name, new[] { g.Node("Shape", name, new[] { like }), g.Int64s(Join(name, "t2"), 2), g.Int64s(Join(name, "t4"), 4) });
        var sizes = g.Node("Concat", name, new[] { nc, hw }, ("axis", 0L));
        return g.Node("Resize", name, new[] { x, "", "", sizes }, ("mode", "linear"), ("coordinate_transformation_mode", "half_pixel"));
    }
}
