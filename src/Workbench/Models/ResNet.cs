using Workbench.Torch;

namespace Workbench.Models;

/// <summary>ResNet's two residual blocks share this shape: the block type decides the layer widths.</summary>
public abstract class ResNetBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Output channels = planes · expansion (1 for BasicBlock, 4 for Bottleneck).</summary>
    public abstract long Expansion { get; }
}

/// <summary>Two 3×3 convolutions and the identity (or a 1×1 projection) added back: ResNet-18/34's block.</summary>
public sealed class BasicBlock : ResNetBlock
{
    private readonly nn.Conv2d conv1, conv2;
    private readonly nn.BatchNorm2d bn1, bn2;
    private readonly nn.Sequential? downsample;

    public BasicBlock(long inplanes, long planes, long stride = 1, nn.Sequential? downsample = null)
    {
        conv1 = register_module("conv1", new nn.Conv2d(inplanes, planes, 3, stride: stride, padding: 1, bias: false));
        bn1 = register_module("bn1", new nn.BatchNorm2d(planes));
        register_module("relu", new nn.ReLU());
        conv2 = register_module("conv2", new nn.Conv2d(planes, planes, 3, padding: 1, bias: false));
        bn2 = register_module("bn2", new nn.BatchNorm2d(planes));
        if (downsample is not null) this.downsample = register_module("downsample", downsample);
    }

    public override long Expansion => 1;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var identity = downsample?.call(x) ?? x;
        var h = bn1.call(conv1.call(x)).relu();
        h = bn2.call(conv2.call(h));
        return (h + identity).relu().MoveToOuterDisposeScope();
    }
}

/// <summary>1×1 reduce, 3×3 (strided, torchvision's "ResNet v1.5"), 1×1 expand ×4: ResNet-50/101/152's block.</summary>
public sealed class Bottleneck : ResNetBlock
{
    private readonly nn.Conv2d conv1, conv2, conv3;
    private readonly nn.BatchNorm2d bn1, bn2, bn3;
    private readonly nn.Sequential? downsample;

    public Bottleneck(long inplanes, long planes, long stride = 1, nn.Sequential? downsample = null)
    {
        conv1 = register_module("conv1", new nn.Conv2d(inplanes, planes, 1, bias: false));
        bn1 = register_module("bn1", new nn.BatchNorm2d(planes));
        conv2 = register_module("conv2", new nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false));
        bn2 = register_module("bn2", new nn.BatchNorm2d(planes));
        conv3 = register_module("conv3", new nn.Conv2d(planes, planes * 4, 1, bias: false));
        bn3 = register_module("bn3", new nn.BatchNorm2d(planes * 4));
        register_module("relu", new nn.ReLU());
        if (downsample is not null) this.downsample = register_module("downsample", downsample);
    }

    public override long Expansion => 4;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var identity = downsample?.call(x) ?? x;
        var h = bn1.call(conv1.call(x)).relu();
        h = bn2.call(conv2.call(h)).relu();
        h = bn3.call(conv3.call(h));
        return (h + identity).relu().MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ResNet (He et al. 2016) with torchvision's layout and state_dict keys (<c>conv1</c>, <c>bn1</c>,
/// <c>layer1.0.conv1</c>, <c>layer2.0.downsample.0</c>, ..., <c>fc</c>), so ImageNet weights converted from
/// torchvision load unchanged. Nothing downloads here: convert once where torchvision is installed,
/// <code>
/// python -c "import torchvision,safetensors.torch as s; s.save_file(torchvision.models.resnet34(weights='DEFAULT').state_dict(), 'resnet34.safetensors')"
/// </code>
/// then <c>ResNet.resnet34().load_state_dict(SafeTensors.Load("resnet34.safetensors"))</c>. Without weights the
/// network starts from torchvision's initialization (Kaiming normal, fan_out). <paramref name="base_width"/>
/// below 64 makes the narrow encoders the CPU presets use (not torchvision's, so no ImageNet weights for them).
/// A U-Net uses <see cref="Stages"/> as its encoder; <see cref="forward"/> is the classifier.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv1;
    private readonly nn.BatchNorm2d bn1;
    private readonly nn.ReLU relu;
    private readonly nn.MaxPool2d maxpool;
    private readonly nn.Sequential layer1, layer2, layer3, layer4;
    private readonly nn.Linear? fc;

    /// <param name="block">"basic" (ResNet-18/34) or "bottleneck" (ResNet-50/101).</param>
    /// <param name="layers">Blocks per stage, e.g. [3, 4, 6, 3] for ResNet-34.</param>
    /// <param name="num_classes">Classifier outputs; 0 leaves out avgpool and fc (an encoder only).</param>
    /// <param name="in_channels">Input channels (3 for ImageNet weights).</param>
    /// <param name="base_width">Channels of the stem and the first stage (64 in the paper); stages double it.</param>
    public ResNet(string block, long[] layers, long num_classes = 1000, long in_channels = 3, long base_width = 64)
    {
        if (block is not ("basic" or "bottleneck")) throw new ArgumentException($"unknown ResNet block '{block}'; known: basic, bottleneck", nameof(block));
        if (layers.Length != 4 || layers.Any(n => n < 1)) throw new ArgumentException("a ResNet has 4 stages of at least one block each", nameof(layers));
        Block = block;
        Layers = layers;
        InChannels = in_channels;
        BaseWidth = base_width;
        var expansion = block == "basic" ? 1 : 4;
        long inplanes = base_width;
        conv1 = register_module("conv1", new nn.Conv2d(in_channels, base_width, 7, stride: 2, padding: 3, bias: false));
        bn1 = register_module("bn1", new nn.BatchNorm2d(base_width));
        relu = register_module("relu", new nn.ReLU());
        maxpool = register_module("maxpool", new nn.MaxPool2d(3, stride: 2, padding: 1));
        nn.Sequential Stage(long planes, long blocks, long stride)
        {
            nn.Sequential? down = null;
            if (stride != 1 || inplanes != planes * expansion)
                down = new nn.Sequential(new nn.Conv2d(inplanes, planes * expansion, 1, stride: stride, bias: false), new nn.BatchNorm2d(planes * expansion));
            var stage = new nn.Sequential(NewBlock(block, inplanes, planes, stride, down));
            inplanes = planes * expansion;
            for (var i = 1; i < blocks; i++) stage.append(NewBlock(block, inplanes, planes, 1, null));
            return stage;
        }
        layer1 = register_module("layer1", Stage(base_width, layers[0], 1));
        layer2 = register_module("layer2", Stage(base_width * 2, layers[1], 2));
        layer3 = register_module("layer3", Stage(base_width * 4, layers[2], 2));
        layer4 = register_module("layer4", Stage(base_width * 8, layers[3], 2));
        if (num_classes > 0)
        {
            register_module("avgpool", new nn.AdaptiveAvgPool2d(1));
            fc = register_module("fc", new nn.Linear(base_width * 8 * expansion, num_classes));
        }
        StageChannels = new[] { base_width, base_width * expansion, base_width * 2 * expansion, base_width * 4 * expansion, base_width * 8 * expansion };
        // torchvision's initialization (fc keeps Linear's default).
        foreach (var m in modules())
        {
            if (m is nn.Conv2d conv) nn.init.kaiming_normal_(conv.weight, mode: "fan_out", nonlinearity: "relu");
            else if (m is nn.BatchNorm2d bn)
            {
                nn.init.ones_(bn.weight!);
                nn.init.zeros_(bn.bias!);
            }
        }
    }

    private static ResNetBlock NewBlock(string block, long inplanes, long planes, long stride, nn.Sequential? down) =>
        block == "basic" ? new BasicBlock(inplanes, planes, stride, down) : new Bottleneck(inplanes, planes, stride, down);

    public static ResNet resnet18(long num_classes = 1000, long base_width = 64) => new("basic", new long[] { 2, 2, 2, 2 }, num_classes, base_width: base_width);
    public static ResNet resnet34(long num_classes = 1000, long base_width = 64) => new("basic", new long[] { 3, 4, 6, 3 }, num_classes, base_width: base_width);
    public static ResNet resnet50(long num_classes = 1000) => new("bottleneck", new long[] { 3, 4, 6, 3 }, num_classes);
    public static ResNet resnet101(long num_classes = 1000) => new("bottleneck", new long[] { 3, 4, 23, 3 }, num_classes);

    /// <summary>A ResNet by name: resnet18, resnet34, resnet50, resnet101 (an unknown name fails and lists these).</summary>
    public static ResNet Create(string name, long num_classes = 1000, long base_width = 64) => name switch
    {
        "resnet18" => resnet18(num_classes, base_width),
        "resnet34" => resnet34(num_classes, base_width),
        "resnet50" when base_width == 64 => resnet50(num_classes),
        "resnet101" when base_width == 64 => resnet101(num_classes),
        "resnet50" or "resnet101" => throw new ArgumentException($"{name} is built with base width 64 only"),
        _ => throw new ArgumentException($"unknown ResNet '{name}'; known: resnet18, resnet34, resnet50, resnet101"),
    };

    public string Block { get; }
    public long[] Layers { get; }
    public long InChannels { get; }
    public long BaseWidth { get; }

    /// <summary>Channels after the stem (1/2 resolution) and after layer1..layer4 (1/4, 1/8, 1/16, 1/32).</summary>
    public long[] StageChannels { get; }

    /// <summary>
    /// The feature layers in torchvision's child order, as fastai cuts a ResNet for a U-Net (children[:-2]):
    /// 0 conv1, 1 bn1, 2 relu, 3 maxpool, 4 layer1, 5 layer2, 6 layer3, 7 layer4. The modules are shared, not copied.
    /// </summary>
    public nn.Module<Tensor, Tensor>[] Stages() => new nn.Module<Tensor, Tensor>[] { conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4 };

    public override Tensor forward(Tensor x)
    {
        if (fc is null) throw new InvalidOperationException("this ResNet was built without a classifier (num_classes: 0); use Stages() as an encoder");
        using var scope = torch.NewDisposeScope();
        var h = maxpool.call(relu.call(bn1.call(conv1.call(x))));                    // (N, w, H/4, W/4)
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));                   // (N, 8w·e, H/32, W/32)
        h = h.mean(new long[] { 2, 3 });                                             // (N, 8w·e)
        return fc.call(h).MoveToOuterDisposeScope();                                 // (N, classes)
    }
}
