using System.Globalization;

using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// The notes' long-range block (<c>MyDilatedBlock</c>): 3x3 convs with dilation 1, 2, 4 and a pointwise conv, so
/// each pixel sees 7 pixels away for the cost of about three plain convs; added to the input scaled by 0.2.
/// </summary>
internal sealed class DilatedBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential layers;
    private readonly double res_scale;

    public DilatedBlock(long channels, double res_scale = 0.2)
    {
        this.res_scale = res_scale;
        layers = register_module("layers", new nn.Sequential(
            new nn.Conv2d(channels, channels, 3, padding: 1),
            new nn.LeakyReLU(0.1),
            new nn.Conv2d(channels, channels, 3, padding: 2, dilation: 2),
            new nn.LeakyReLU(0.1),
            new nn.Conv2d(channels, channels, 3, padding: 4, dilation: 4),
            new nn.LeakyReLU(0.1),
            new nn.Conv2d(channels, channels, 1)));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return (x + layers.call(x) * res_scale).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The notes' dense block (<c>DenseResidualBlock</c>): <c>layers</c> − 1 conv3x3+LeakyReLU(0.1) stages, each
/// seeing the concatenation of the input and all earlier outputs (growth = channels), then <c>last_conv</c>;
/// added to the input scaled by 0.2. With 3 layers it costs 1 + 2 + 3 = 6 plain convs instead of ESRGAN's 15.
/// </summary>
internal sealed class DenseResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.ModuleList<nn.Sequential> blocks;
    private readonly nn.Conv2d last_conv;
    private readonly double res_scale;

    public DenseResidualBlock(long channels, double res_scale = 0.2, int layers = 5)
    {
        if (layers < 1) throw new ArgumentOutOfRangeException(nameof(layers), layers, "a dense block has at least one conv");
        this.res_scale = res_scale;
        blocks = register_module("blocks", new nn.ModuleList<nn.Sequential>(Enumerable.Range(1, layers - 1)
            .Select(i => new nn.Sequential(new nn.Conv2d(i * channels, channels, 3, padding: "same"), new nn.LeakyReLU(0.1)))));
        last_conv = register_module("last_conv", new nn.Conv2d(layers * channels, channels, 3, padding: "same"));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var inputs = x;
        foreach (var block in blocks) inputs = torch.cat([inputs, block.call(inputs)], 1); // (N, i·C, H, W) grows by C
        return (x + last_conv.call(inputs) * res_scale).MoveToOuterDisposeScope();
    }
}

/// <summary>The notes' RRDB (<c>MyResidualInResidualDenseBlock</c>): dilated and dense blocks alternating three times.</summary>
internal sealed class DilatedRrdb : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential dense_blocks;
    private readonly double res_scale;

    public DilatedRrdb(long filters, double res_scale = 0.2, int dr_layers = 5)
    {
        this.res_scale = res_scale;
        dense_blocks = register_module("dense_blocks", new nn.Sequential(
            new DilatedBlock(filters), new DenseResidualBlock(filters, layers: dr_layers),
            new DilatedBlock(filters), new DenseResidualBlock(filters, layers: dr_layers),
            new DilatedBlock(filters), new DenseResidualBlock(filters, layers: dr_layers)));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        return (x + dense_blocks.call(x) * res_scale).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// The SR notes' final generator (<c>GeneratorRRDBx2</c>, trained three days for x2): ESRGAN's trunk made lighter
/// and wider-seeing. Each RRDB alternates a dilated block (dilation 1, 2, 4, then 1x1: reach 7 px) with a 3-conv
/// dense block whose growth equals the trunk width; residual scale 0.2 throughout (ESRGAN: keeps a deep
/// BatchNorm-free stack stable). Tail: conv3x3 to 2C, conv1x1 to head_channels·r², PixelShuffle(r), conv3x3,
/// conv3x3 to RGB, LeakyReLU(0.1) between. Everything sits in one <c>layers</c> Sequential as in the notes, so
/// its checkpoint keys (<c>layers.1.dense_blocks.1.blocks.0.0.weight</c>) load as they are. A given
/// <see cref="UpsampleHead"/> replaces the tail as one item after the blocks.
/// </summary>
public sealed class DilatedRrdbNet : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    private readonly nn.Sequential layers;
    private readonly UpsampleHead? head;

    /// <param name="scale">Upscaling factor (the notes: 2).</param>
    /// <param name="channels">Trunk channels (64).</param>
    /// <param name="num_res_blocks">RRDB blocks (16).</param>
    /// <param name="dense_layers">Convs per dense block (the notes' final model 3; ESRGAN-like 5).</param>
    /// <param name="head_channels">Channels after the pixel shuffle in the default tail (64).</param>
    /// <param name="head">A sub-pixel tail replacing the default one.</param>
    public DilatedRrdbNet(long scale = 2, long channels = 64, long num_res_blocks = 16, int dense_layers = 3, long head_channels = 64, UpsampleHead? head = null)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 1 or more");
        if (head is not null && (head.scale != scale || head.in_channels != channels || head.out_channels != 3))
            throw new ArgumentException($"the head upsamples {head.in_channels} → {head.out_channels} channels by {head.scale}, the network needs {channels} → 3 by {scale}", nameof(head));
        this.scale = scale;
        this.channels = channels;
        this.num_res_blocks = num_res_blocks;
        this.dense_layers = dense_layers;
        this.head_channels = head_channels;
        this.head = head;
        var items = new List<nn.Module<Tensor, Tensor>> { new nn.Conv2d(3, channels, 5, padding: "same") };
        for (var i = 0; i < num_res_blocks; i++) items.Add(new DilatedRrdb(channels, dr_layers: dense_layers));
        if (head is not null) items.Add(head);
        else
        {
            items.Add(new nn.Conv2d(channels, channels * 2, 3, padding: "same"));
            items.Add(new nn.LeakyReLU(0.1));
            items.Add(new nn.Conv2d(channels * 2, head_channels * scale * scale, 1, padding: "same"));
            items.Add(new nn.LeakyReLU(0.1));
            items.Add(new nn.PixelShuffle(scale));
            items.Add(new nn.Conv2d(head_channels, head_channels, 3, padding: "same"));
            items.Add(new nn.LeakyReLU(0.1));
            items.Add(new nn.Conv2d(head_channels, 3, 3, padding: "same"));
        }
        layers = register_module("layers", new nn.Sequential(items.ToArray()));
    }

    public long scale { get; }
    public long channels { get; }
    public long num_res_blocks { get; }
    public int dense_layers { get; }
    public long head_channels { get; }

    public string Architecture => "dilated-rrdb";

    long ISuperResolutionNet.Scale => scale;

    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["channels"] = channels.ToString(CultureInfo.InvariantCulture),
        ["num_block"] = num_res_blocks.ToString(CultureInfo.InvariantCulture),
        ["dense_layers"] = dense_layers.ToString(CultureInfo.InvariantCulture),
        ["tail_channels"] = head_channels.ToString(CultureInfo.InvariantCulture),
    }.WithHead(head, isDefault: head is null);

    internal static DilatedRrdbNet FromHyperparameters(long scale, IReadOnlyDictionary<string, string> h)
    {
        var channels = h.Long("channels", 64);
        return new DilatedRrdbNet(scale, channels, h.Long("num_block", 16), (int)h.Long("dense_layers", 3), h.Long("tail_channels", 64), h.Head(channels, scale, 3));
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, 3, nameof(DilatedRrdbNet));
        using var scope = torch.NewDisposeScope();
        var y = layers.call(x); // (N, 3, H, W) → conv_first (N, C, H, W) → RRDBs (N, C, H, W) → tail (N, 3, H·r, W·r)
        return y.MoveToOuterDisposeScope();
    }
}
