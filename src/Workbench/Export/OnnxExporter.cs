using Google.Protobuf;

using Workbench.Export.Onnx;
using Workbench.Models;
using Workbench.Models.Colorization;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Export;

/// <summary>What <see cref="OnnxExporter.Export"/> wrote.</summary>
public sealed record OnnxExportResult(string Path, int Nodes, long Bytes, long[] TraceShape);

/// <summary>
/// Writes a trained network as an ONNX model (opset 17) that runs outside this program (onnxruntime, mobile
/// converters — the thesis converted its colorizer to CoreML). The graph is traced from our own module tree in
/// eval mode: each known module emits the ONNX ops of its forward (Conv, BatchNormalization, Relu/LeakyRelu, Add,
/// Concat, Mul/Sub/Div, Sigmoid, DepthToSpace for PixelShuffle, Pad + AveragePool for the blur, Resize (nearest)
/// where sizes may differ, Reshape/Transpose/MatMul/Softmax for self-attention). Spectral-normalized weights are
/// exported as the normalized W/σ the eval forward uses; BatchNorm uses its running statistics.
/// Batch, height and width are symbolic: any size the network accepts runs (the U-Net: any, best multiples of 32).
/// </summary>
public static class OnnxExporter
{
    /// <summary>
    /// Exports <paramref name="model"/> (DynamicUnet, ResNet, ColorCritic or a Sequential of supported layers).
    /// A forward in eval mode on a (1, C, H, W) input of <paramref name="traceShape"/> refreshes the spectral-norm
    /// weights first; the model is left in eval mode.
    /// </summary>
    public static OnnxExportResult Export(nn.Module<Tensor, Tensor> model, string path, long[] traceShape, IReadOnlyDictionary<string, string>? metadata = null,
        bool float16Weights = false)
    {
        if (traceShape.Length != 4) throw new ArgumentException("trace shape is (N, C, H, W)", nameof(traceShape));
        using var scope = torch.NewDisposeScope();
        model.eval();
        using (torch.no_grad()) model.call(torch.rand(traceShape)); // spectral norm computes W/σ in the pre-forward hook
        var g = new OnnxGraph { Float16Weights = float16Weights };
        g.Input("input", new long?[] { null, traceShape[1], null, null }, new[] { "batch", "", "height", "width" });
        var output = Emit(g, model, "input", "");
        var final = g.Rename(output, "output");
        var rank = model is ColorCritic || (model is ResNet r && r.named_children().Any(c => c.name == "fc")) ? 2 : 4;
        g.Output(final, new long?[rank], new[] { "batch", "channels", "height_out", "width_out" }.Take(rank).ToArray());
        var proto = g.ToModel($"{model.GetName()} exported by Workbench", metadata);
        var bytes = proto.ToByteArray();
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        Torch.Serialization.AtomicFile.WriteAllBytes(path, bytes);
        return new OnnxExportResult(path, g.NodeCount, bytes.LongLength, traceShape);
    }

    /// <summary>Emits the ops of one module applied to value <paramref name="x"/>; returns the output value's name.</summary>
    public static string Emit(OnnxGraph g, nn.Module module, string x, string name)
    {
        switch (module)
        {
            case DynamicUnet unet: return EmitUnet(g, unet, x, name);
            case ResNet resnet: return EmitResNet(g, resnet, x, name);
            case BasicBlock or Bottleneck: return EmitResBlock(g, module, x, name);
            case PixelShuffleIcnr shuffle: return EmitShuffle(g, shuffle, x, name);
            case UnetResBlock res:
            {
                var layers = (nn.ModuleList)res.get_submodule("layers");
                var h = Emit(g, layers[1], Emit(g, layers[0], x, Join(name, "layers.0")), Join(name, "layers.1"));
                return g.Node("Add", name, new[] { h, x });
            }
            case ColorCritic critic:
            {
                var h = critic.ImagenetNormalize ? Normalize(g, critic, x, name) : x;
                foreach (var (child, m) in critic.named_children()) h = Emit(g, m, h, Join(name, child));
                return h;
            }
            case nn.Sequential seq:
            {
                var h = x;
                foreach (var (child, m) in seq.named_children()) h = Emit(g, m, h, Join(name, child));
                return h;
            }
            case ZhangColorizer zhang: return OnnxZhangColorizer.Emit(g, zhang, x, name);
            case Espcn or UpsampleHead:
            {
                // Both run their children in order (ESPCN: layers, then the pixel-shuffle head).
                var h = x;
                foreach (var (child, m) in module.named_children()) h = Emit(g, m, h, Join(name, child));
                return h;
            }
            case nn.ConvTranspose2d up: return EmitConvTranspose(g, up, x, name);
            case nn.Conv2d conv: return EmitConv(g, conv, x, name, 2);
            case nn.Conv1d conv: return EmitConv(g, conv, x, name, 1);
            case nn.BatchNorm2d bn:
                return g.Node("BatchNormalization", name, new[]
                {
                    x, g.Initializer(Join(name, "weight"), bn.weight!), g.Initializer(Join(name, "bias"), bn.bias!),
                    g.Initializer(Join(name, "running_mean"), bn.running_mean!), g.Initializer(Join(name, "running_var"), bn.get_buffer("running_var")),
                }, ("epsilon", bn.eps));
            case nn.ReLU: return g.Node("Relu", name, new[] { x });
            case nn.LeakyReLU leaky: return g.Node("LeakyRelu", name, new[] { x }, ("alpha", leaky.negative_slope));
            case nn.Sigmoid: return g.Node("Sigmoid", name, new[] { x });
            case nn.Dropout or nn.Dropout2d or nn.Identity: return x; // eval mode
            case nn.Flatten: return g.Node("Flatten", name, new[] { x }, ("axis", 1L));
            case nn.PixelShuffle ps: return g.Node("DepthToSpace", name, new[] { x }, ("blocksize", ps.upscale_factor), ("mode", "CRD"));
            case nn.MaxPool2d pool:
                return g.Node("MaxPool", name, new[] { x }, ("kernel_shape", Pair(pool.kernel_size)), ("strides", Pair(pool.stride)),
                    ("pads", Pads(pool.padding)), ("ceil_mode", pool.ceil_mode ? 1L : 0L));
            case nn.AvgPool2d pool:
                return g.Node("AveragePool", name, new[] { x }, ("kernel_shape", Pair(pool.kernel_size)), ("strides", Pair(pool.stride)),
                    ("pads", Pads(pool.padding)), ("count_include_pad", pool.count_include_pad ? 1L : 0L), ("ceil_mode", pool.ceil_mode ? 1L : 0L));
            case nn.SelfAttention sa: return EmitSelfAttention(g, sa, x, name);
            default:
                throw new NotSupportedException($"ONNX export does not know {module.GetName()} ('{name}'); supported: DynamicUnet, ResNet, ColorCritic, " +
                    "Sequential, Conv1d/2d, BatchNorm2d, ReLU, LeakyReLU, Sigmoid, Dropout, Flatten, PixelShuffle, MaxPool2d, AvgPool2d, SelfAttention");
        }
    }

    private static string EmitUnet(OnnxGraph g, DynamicUnet unet, string x, string name)
    {
        var layers = (nn.ModuleList)unet.get_submodule("layers");
        var input = unet.ImagenetNormalize ? Normalize(g, unet, x, name) : x;
        var encoder = (nn.Sequential)layers[0];
        var skips = new Dictionary<int, string>();
        var h = input;
        for (var i = 0; i < encoder.Count; i++)
        {
            h = Emit(g, encoder[i], h, Join(name, $"layers.0.{i}"));
            if (i is 2 or 4 or 5 or 6) skips[i] = h;
        }
        h = Emit(g, layers[3], g.Node("Relu", Join(name, "layers.2"), new[] { Emit(g, layers[1], h, Join(name, "layers.1")) }), Join(name, "layers.3"));
        var order = new[] { 6, 5, 4, 2 };
        for (var b = 0; b < 4; b++) h = EmitUnetBlock(g, layers[4 + b], h, skips[order[b]], Join(name, $"layers.{4 + b}"));
        h = Emit(g, layers[8], h, Join(name, "layers.8"));
        var next = 9;
        if (unet.LastCross)
        {
            h = ResizeLike(g, h, input, Join(name, "layers.9"));
            h = g.Node("Concat", Join(name, "layers.9"), new[] { h, input }, ("axis", 1L));
            h = Emit(g, layers[10], h, Join(name, "layers.10"));
            next = 11;
        }
        h = Emit(g, layers[next], h, Join(name, $"layers.{next}"));
        var (low, high) = unet.YRange;
        h = g.Node("Sigmoid", Join(name, "sigmoid_range"), new[] { h });
        h = g.Node("Mul", Join(name, "sigmoid_range"), new[] { h, g.Scalar("range_scale", (float)(high - low)) });
        h = g.Node("Add", Join(name, "sigmoid_range"), new[] { h, g.Scalar("range_low", (float)low) });
        if (unet.ImagenetNormalize && unet.OutChannels == 3)
        {
            h = g.Node("Mul", Join(name, "denormalize"), new[] { h, g.Initializer("imagenet_std", unet.get_buffer("std")) });
            h = g.Node("Add", Join(name, "denormalize"), new[] { h, g.Initializer("imagenet_mean", unet.get_buffer("mean")) });
        }
        return h;
    }

    private static string EmitUnetBlock(OnnxGraph g, nn.Module block, string up, string skip, string name)
    {
        var h = ResizeLike(g, Emit(g, block.get_submodule("shuf"), up, Join(name, "shuf")), skip, name);
        var cat = g.Node("Concat", name, new[] { h, Emit(g, block.get_submodule("bn"), skip, Join(name, "bn")) }, ("axis", 1L));
        cat = g.Node("Relu", Join(name, "relu"), new[] { cat });
        return block is UnetBlockWide
            ? Emit(g, block.get_submodule("conv"), cat, Join(name, "conv"))
            : Emit(g, block.get_submodule("conv2"), Emit(g, block.get_submodule("conv1"), cat, Join(name, "conv1")), Join(name, "conv2"));
    }

    private static string EmitShuffle(OnnxGraph g, PixelShuffleIcnr shuffle, string x, string name)
    {
        var h = Emit(g, shuffle.get_submodule("conv"), x, Join(name, "conv"));
        h = g.Node("Relu", Join(name, "relu"), new[] { h });
        h = Emit(g, shuffle.get_submodule("shuf"), h, Join(name, "shuf"));
        if (!shuffle.Blur) return h;
        // Replicate pad one pixel on the top and left (ONNX "edge"), then a 2×2 average with stride 1.
        var padded = g.Node("Pad", Join(name, "pad"), new[] { h, g.Int64s(Join(name, "pads"), 0, 0, 1, 1, 0, 0, 0, 0) }, ("mode", "edge"));
        return Emit(g, shuffle.get_submodule("blur"), padded, Join(name, "blur"));
    }

    private static string EmitResNet(OnnxGraph g, ResNet resnet, string x, string name)
    {
        var h = x;
        var names = new[] { "conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4" };
        foreach (var (m, n) in resnet.Stages().Zip(names)) h = Emit(g, m, h, Join(name, n));
        if (resnet.named_children().All(c => c.name != "fc")) return h;
        h = g.Node("GlobalAveragePool", Join(name, "avgpool"), new[] { h });
        h = g.Node("Flatten", Join(name, "flatten"), new[] { h }, ("axis", 1L));
        var fc = (nn.Linear)resnet.get_submodule("fc");
        return g.Node("Gemm", Join(name, "fc"), new[] { h, g.Initializer(Join(name, "fc.weight"), fc.weight), g.Initializer(Join(name, "fc.bias"), fc.bias!) }, ("transB", 1L));
    }

    private static string EmitResBlock(OnnxGraph g, nn.Module block, string x, string name)
    {
        var children = block.named_children().ToDictionary(c => c.name, c => c.module);
        var identity = children.TryGetValue("downsample", out var down) ? Emit(g, down, x, Join(name, "downsample")) : x;
        var h = g.Node("Relu", Join(name, "relu1"), new[] { Emit(g, children["bn1"], Emit(g, children["conv1"], x, Join(name, "conv1")), Join(name, "bn1")) });
        h = Emit(g, children["bn2"], Emit(g, children["conv2"], h, Join(name, "conv2")), Join(name, "bn2"));
        if (children.ContainsKey("conv3"))
            h = Emit(g, children["bn3"], Emit(g, children["conv3"], g.Node("Relu", Join(name, "relu2"), new[] { h }), Join(name, "conv3")), Join(name, "bn3"));
        return g.Node("Relu", Join(name, "out"), new[] { g.Node("Add", name, new[] { h, identity }) });
    }

    private static string EmitConv(OnnxGraph g, nn.ConvNd conv, string x, string name, int dims)
    {
        if (conv.padding_string is not (null or "same") || conv.padding_mode is not ("zeros" or "reflect" or "replicate"))
            throw new NotSupportedException($"ONNX export: conv '{name}' with padding {conv.padding_mode}/{conv.padding_string}");
        // Per spatial axis: "same" pads dilation·(k − 1) in all, the smaller half first (as PyTorch); else padding on both sides.
        var before = new long[dims];
        var after = new long[dims];
        for (var i = 0; i < dims; i++)
        {
            var total = conv.padding_string == "same" ? conv.dilation[i] * (conv.kernel_size[i] - 1) : 2 * conv.padding[i];
            (before[i], after[i]) = (total / 2, total - total / 2);
        }
        var pads = before.Concat(after).ToArray();
        if (conv.padding_mode != "zeros" && pads.Any(p => p > 0))
        {
            // Reflect/replicate padding as its own Pad node (ONNX pads list all axes' starts, then all ends).
            var all = new long[] { 0, 0 }.Concat(before).Concat(new long[] { 0, 0 }).Concat(after).ToArray();
            x = g.Node("Pad", Join(name, "pad"), new[] { x, g.Int64s(Join(name, "pads"), all) }, ("mode", conv.padding_mode == "reflect" ? "reflect" : "edge"));
            pads = new long[2 * dims];
        }
        var inputs = new List<string> { x, g.Initializer(Join(name, "weight"), conv.weight) };
        if (conv.bias is { } b) inputs.Add(g.Initializer(Join(name, "bias"), b));
        return g.Node("Conv", name, inputs.ToArray(), ("kernel_shape", conv.kernel_size), ("strides", conv.stride),
            ("pads", pads), ("dilations", conv.dilation), ("group", conv.groups));
    }

    private static string EmitConvTranspose(OnnxGraph g, nn.ConvTranspose2d up, string x, string name)
    {
        if (up.padding_mode != "zeros") throw new NotSupportedException($"ONNX export: transposed conv '{name}' with padding {up.padding_mode}");
        var inputs = new List<string> { x, g.Initializer(Join(name, "weight"), up.weight) };
        if (up.bias is { } b) inputs.Add(g.Initializer(Join(name, "bias"), b));
        return g.Node("ConvTranspose", name, inputs.ToArray(), ("kernel_shape", up.kernel_size), ("strides", up.stride),
            ("pads", up.padding.Concat(up.padding).ToArray()), ("dilations", up.dilation), ("group", up.groups), ("output_padding", up.output_padding));
    }

    private static string EmitSelfAttention(OnnxGraph g, nn.SelfAttention sa, string x, string name)
    {
        var shape = g.Node("Shape", Join(name, "shape"), new[] { x });
        var flat = g.Node("Reshape", Join(name, "flatten"), new[] { x, g.Int64s(Join(name, "flat_shape"), 0, 0, -1) });          // (N, C, HW)
        var f = Emit(g, sa.get_submodule("query"), flat, Join(name, "query"));
        var k = Emit(g, sa.get_submodule("key"), flat, Join(name, "key"));
        var v = Emit(g, sa.get_submodule("value"), flat, Join(name, "value"));
        var ft = g.Node("Transpose", Join(name, "query_t"), new[] { f }, ("perm", new long[] { 0, 2, 1 }));
        var beta = g.Node("Softmax", Join(name, "beta"), new[] { g.Node("MatMul", Join(name, "scores"), new[] { ft, k }) }, ("axis", 1L)); // (N, HW, HW)
        var o = g.Node("MatMul", Join(name, "attend"), new[] { v, beta });
        o = g.Node("Add", Join(name, "residual"), new[] { g.Node("Mul", Join(name, "gamma"), new[] { o, g.Initializer(Join(name, "gamma"), sa.gamma) }), flat });
        return g.Node("Reshape", Join(name, "unflatten"), new[] { o, shape });
    }

    /// <summary>(x − mean) / std with the module's ImageNet buffers.</summary>
    private static string Normalize(OnnxGraph g, nn.Module m, string x, string name)
    {
        var h = g.Node("Sub", Join(name, "normalize"), new[] { x, g.Initializer("imagenet_mean", m.get_buffer("mean")) });
        return g.Node("Div", Join(name, "normalize"), new[] { h, g.Initializer("imagenet_std", m.get_buffer("std")) });
    }

    /// <summary>Nearest resize of x to like's H, W (PyTorch's "nearest": asymmetric coordinates, floor); the identity when equal.</summary>
    private static string ResizeLike(OnnxGraph g, string x, string like, string name)
    {
        var shapeX = g.Node("Shape", Join(name, "shape_x"), new[] { x });
        var shapeLike = g.Node("Shape", Join(name, "shape_like"), new[] { like });
        var nc = g.Node("Slice", Join(name, "nc"), new[] { shapeX, g.Int64s(Join(name, "s0"), 0), g.Int64s(Join(name, "s2"), 2) });
        var hw = g.Node("Slice", Join(name, "hw"), new[] { shapeLike, g.Int64s(Join(name, "t2"), 2), g.Int64s(Join(name, "t4"), 4) });
        var sizes = g.Node("Concat", Join(name, "sizes"), new[] { nc, hw }, ("axis", 0L));
        return g.Node("Resize", Join(name, "resize"), new[] { x, "", "", sizes }, ("mode", "nearest"), ("coordinate_transformation_mode", "asymmetric"), ("nearest_mode", "floor"));
    }

    private static long[] Pair(nn.Size2 s) => new[] { s.H, s.W };

    private static long[] Pads(nn.Size2 s) => new[] { s.H, s.W, s.H, s.W };

    internal static string Join(string prefix, string child) => prefix.Length == 0 ? child : prefix + "." + child;
}
