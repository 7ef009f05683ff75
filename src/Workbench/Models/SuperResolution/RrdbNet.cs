using System.Globalization;

using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// Residual dense block (ESRGAN): five 3x3 convs where each sees the block input and every earlier output
/// (channels grow by <c>num_grow_ch</c> per conv), LeakyReLU(0.2) after all but the last.
/// </summary>
internal sealed class ResidualDenseBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv1, conv2, conv3, conv4, conv5;

    public ResidualDenseBlock(long num_feat = 64, long num_grow_ch = 32)
    {
        conv1 = register_module("conv1", new nn.Conv2d(num_feat, num_grow_ch, 3, padding: 1));
        conv2 = register_module("conv2", new nn.Conv2d(num_feat + num_grow_ch, num_grow_ch, 3, padding: 1));
        conv3 = register_module("conv3", new nn.Conv2d(num_feat + 2 * num_grow_ch, num_grow_ch, 3, padding: 1));
        conv4 = register_module("conv4", new nn.Conv2d(num_feat + 3 * num_grow_ch, num_grow_ch, 3, padding: 1));
        conv5 = register_module("conv5", new nn.Conv2d(num_feat + 4 * num_grow_ch, num_feat, 3, padding: 1));
        // ESRGAN's init: Kaiming scaled by 0.1, zero bias, so every block starts close to the identity.
        foreach (var conv in new[] { conv1, conv2, conv3, conv4, conv5 })
        {
            using (torch.no_grad())
            {
                nn.init.kaiming_normal_(conv.weight).mul_(0.1);
                nn.init.zeros_(conv.bias!);
            }
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var x1 = F.leaky_relu(conv1.call(x), 0.2);
        var x2 = F.leaky_relu(conv2.call(torch.cat([x, x1], 1)), 0.2);
        var x3 = F.leaky_relu(conv3.call(torch.cat([x, x1, x2], 1)), 0.2);
        var x4 = F.leaky_relu(conv4.call(torch.cat([x, x1, x2, x3], 1)), 0.2);
        var x5 = conv5.call(torch.cat([x, x1, x2, x3, x4], 1));
        // Residual scaling (ESRGAN §3.2): without BatchNorm, a deep stack of blocks that each add their full output
        // grows the signal and destabilises training; adding 0.2 of it keeps the trunk near the identity.
        return (x5 * RrdbNet.ResidualScale + x).MoveToOuterDisposeScope();
    }
}

/// <summary>Residual in residual dense block: three dense blocks, the whole scaled by 0.2 and added to its input.</summary>
internal sealed class Rrdb : nn.Module<Tensor, Tensor>
{
    private readonly ResidualDenseBlock rdb1, rdb2, rdb3;

    public Rrdb(long num_feat = 64, long num_grow_ch = 32)
    {
        rdb1 = register_module("rdb1", new ResidualDenseBlock(num_feat, num_grow_ch));
        rdb2 = register_module("rdb2", new ResidualDenseBlock(num_feat, num_grow_ch));
        rdb3 = register_module("rdb3", new ResidualDenseBlock(num_feat, num_grow_ch));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = rdb3.call(rdb2.call(rdb1.call(x)));
        return (y * RrdbNet.ResidualScale + x).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// ESRGAN's generator (Wang et al. 2018) with BasicSR's <c>RRDBNet</c> state-dict names (<c>conv_first</c>,
/// <c>body.N.rdb1.conv1</c>, <c>conv_body</c>, <c>conv_up1</c>, <c>conv_up2</c>, <c>conv_hr</c>, <c>conv_last</c>),
/// so ESRGAN / Real-ESRGAN checkpoints converted to safetensors load as they are. No BatchNorm (ESRGAN: it
/// invents detail on flat areas). Upsampling is two (nearest x2 → conv3x3 → LeakyReLU) steps; for scale 2
/// and 1 the input is pixel-unshuffled first, as in Real-ESRGAN's x2 model. Pass <c>head</c> to replace the
/// nearest+conv tail by a sub-pixel <see cref="UpsampleHead"/> (then no pixel-unshuffle).
/// </summary>
public sealed class RrdbNet : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    /// <summary>ESRGAN's residual scaling β = 0.2 (see <see cref="ResidualDenseBlock"/>).</summary>
    internal const double ResidualScale = 0.2;

    private readonly nn.Conv2d conv_first, conv_body;
    private readonly nn.Sequential body;
    private readonly nn.Conv2d? conv_up1, conv_up2, conv_hr, conv_last;
    private readonly UpsampleHead? head;

    /// <param name="num_in_ch">Image channels in.</param>
    /// <param name="num_out_ch">Image channels out.</param>
    /// <param name="scale">Upscaling factor: 4 (paper), 2 or 1 (pixel-unshuffled input) with the default tail.</param>
    /// <param name="num_feat">Trunk channels (paper 64).</param>
    /// <param name="num_block">RRDB blocks (paper 23; the notes 16).</param>
    /// <param name="num_grow_ch">Growth channels of the dense blocks (paper 32).</param>
    /// <param name="head">Sub-pixel tail instead of the nearest+conv one.</param>
    public RrdbNet(long num_in_ch = 3, long num_out_ch = 3, long scale = 4, long num_feat = 64, long num_block = 23, long num_grow_ch = 32, UpsampleHead? head = null)
    {
        if (head is null && scale is not (1 or 2 or 4)) throw new ArgumentException($"RrdbNet's nearest+conv tail upsamples by 4 (1 and 2 via pixel-unshuffle), got scale {scale}; pass an UpsampleHead for other scales", nameof(scale));
        if (head is not null && (head.scale != scale || head.in_channels != num_feat || head.out_channels != num_out_ch))
            throw new ArgumentException($"the head upsamples {head.in_channels} → {head.out_channels} channels by {head.scale}, the network needs {num_feat} → {num_out_ch} by {scale}", nameof(head));
        this.num_in_ch = num_in_ch;
        this.num_out_ch = num_out_ch;
        this.scale = scale;
        this.num_feat = num_feat;
        this.num_block = num_block;
        this.num_grow_ch = num_grow_ch;
        var unshuffle = head is null ? UnshuffleFactor : 1;
        conv_first = register_module("conv_first", new nn.Conv2d(num_in_ch * unshuffle * unshuffle, num_feat, 3, padding: 1));
        body = register_module("body", new nn.Sequential(Enumerable.Range(0, (int)num_block).Select(_ => (nn.Module<Tensor, Tensor>)new Rrdb(num_feat, num_grow_ch)).ToArray()));
        conv_body = register_module("conv_body", new nn.Conv2d(num_feat, num_feat, 3, padding: 1));
        if (head is null)
        {
            conv_up1 = register_module("conv_up1", new nn.Conv2d(num_feat, num_feat, 3, padding: 1));
            conv_up2 = register_module("conv_up2", new nn.Conv2d(num_feat, num_feat, 3, padding: 1));
            conv_hr = register_module("conv_hr", new nn.Conv2d(num_feat, num_feat, 3, padding: 1));
            conv_last = register_module("conv_last", new nn.Conv2d(num_feat, num_out_ch, 3, padding: 1));
        }
        else this.head = register_module("head", head);
    }

    public long num_in_ch { get; }
    public long num_out_ch { get; }
    public long scale { get; }
    public long num_feat { get; }
    public long num_block { get; }
    public long num_grow_ch { get; }

    /// <summary>The default tail always upsamples x4; smaller scales fold pixels into channels first.</summary>
    private long UnshuffleFactor => scale switch { 2 => 2, 1 => 4, _ => 1 };

    long ISuperResolutionNet.InputMultiple => head is null ? UnshuffleFactor : 1;

    public string Architecture => "rrdb";

    long ISuperResolutionNet.Scale => scale;

    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["num_in_ch"] = num_in_ch.ToString(CultureInfo.InvariantCulture),
        ["num_out_ch"] = num_out_ch.ToString(CultureInfo.InvariantCulture),
        ["channels"] = num_feat.ToString(CultureInfo.InvariantCulture),
        ["num_block"] = num_block.ToString(CultureInfo.InvariantCulture),
        ["num_grow_ch"] = num_grow_ch.ToString(CultureInfo.InvariantCulture),
    }.WithHead(head, isDefault: head is null);

    internal static RrdbNet FromHyperparameters(long scale, IReadOnlyDictionary<string, string> h)
    {
        var feat = h.Long("channels", 64);
        var outCh = h.Long("num_out_ch", 3);
        return new RrdbNet(h.Long("num_in_ch", 3), outCh, scale, feat, h.Long("num_block", 23), h.Long("num_grow_ch", 32), h.Head(feat, scale, outCh));
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, num_in_ch, nameof(RrdbNet));
        if (head is null && UnshuffleFactor > 1) ShapeChecks.Divisible(x, UnshuffleFactor, nameof(RrdbNet));
        using var scope = torch.NewDisposeScope();
        var input = head is null && UnshuffleFactor > 1 ? F.pixel_unshuffle(x, UnshuffleFactor) : x; // (N, C·u², H/u, W/u)
        // Each map is freed once the next exists (UnetLayers.Then), and the LeakyReLUs work in place as BasicSR's do: at a
        // 256² tile the x4 tail's 64-channel maps are 268 MB each, and a scope would hold all of them to the end.
        var feat = conv_first.call(input);                                     // (N, F, h, w)
        if (!ReferenceEquals(input, x)) input.Dispose();
        var trunk = body.call(feat);
        var trunkOut = conv_body.call(trunk);
        if (!ReferenceEquals(trunk, feat)) trunk.Dispose();
        feat = UnetLayers.Then(feat, feat + trunkOut);                         // long skip over the RRDB trunk
        trunkOut.Dispose();
        if (head is not null) return head.call(feat).MoveToOuterDisposeScope(); // (N, out, H·scale, W·scale)
        feat = UnetLayers.Then(feat, F.interpolate(feat, scale_factor: 2, mode: "nearest"));
        feat = UnetLayers.Then(feat, conv_up1!.call(feat)).leaky_relu_(0.2);                  // (N, F, 2h, 2w)
        feat = UnetLayers.Then(feat, F.interpolate(feat, scale_factor: 2, mode: "nearest"));
        feat = UnetLayers.Then(feat, conv_up2!.call(feat)).leaky_relu_(0.2);                  // (N, F, 4h, 4w)
        feat = UnetLayers.Then(feat, conv_hr!.call(feat)).leaky_relu_(0.2);
        return UnetLayers.Then(feat, conv_last!.call(feat)).MoveToOuterDisposeScope();        // (N, out, 4h, 4w)
    }
}
