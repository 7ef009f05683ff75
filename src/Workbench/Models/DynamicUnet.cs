using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models;

/// <summary>
/// fastai's conv_layer / DeOldify's custom_conv_layer: conv (Kaiming normal, zero bias) → ReLU → BatchNorm →
/// self-attention, each part optional. With spectral norm the BatchNorm is there only when
/// <paramref name="extra_bn"/> (DeOldify's "extra_bn"); a conv followed by BatchNorm has no bias.
/// Child names "0", "1", ... as in the reference Sequential.
/// </summary>
internal static class UnetLayers
{
    public static nn.Sequential ConvLayer(long ni, long nf, long ks = 3, bool spectral = true, bool extra_bn = false, bool use_activation = true,
        bool self_attention = false, Action<Tensor>? init = null)
    {
        var bn = !spectral || extra_bn;
        var conv = new nn.Conv2d(ni, nf, ks, padding: (ks - 1) / 2, bias: !bn);
        (init ?? (w => nn.init.kaiming_normal_(w)))(conv.weight);
        if (conv.bias is { } b) nn.init.zeros_(b);
        var layers = new nn.Sequential(spectral ? nn.utils.spectral_norm(conv) : conv);
        if (use_activation) layers.append(new nn.ReLU());
        if (bn) layers.append(new nn.BatchNorm2d(nf));
        if (self_attention) layers.append(new nn.SelfAttention(nf));
        return layers;
    }

    /// <summary>fastai's conv_layer(norm_type=NormType.Weight), as DeOldify's last PixelShuffle_ICNR has it: one weight-normalized conv with a bias.</summary>
    public static nn.Sequential WeightNormConvLayer(long ni, long nf, long ks, Action<Tensor> init) => new(new WeightNormConv2d(ni, nf, ks, init));

    /// <summary>
    /// Frees an intermediate once the next one exists (as nn.Sequential does): at DeOldify's render sizes the full-size
    /// maps have hundreds of channels (~0.3 GB each at 560²), and a scope would hold every one until the forward ends,
    /// where PyTorch frees each when its last reference goes. Autograd keeps what backward needs on its own.
    /// </summary>
    public static Tensor Then(Tensor old, Tensor next)
    {
        if (!ReferenceEquals(old, next)) old.Dispose();
        return next;
    }
}

/// <summary>
/// A conv under weight normalization (Salimans &amp; Kingma 2016; PyTorch's nn.utils.weight_norm on dim 0): the weight
/// is g·v/‖v‖, the norm over each output channel's inputs and taps. Keys <c>weight_g</c>, <c>weight_v</c>, <c>bias</c>, as
/// PyTorch saves them. Unlike spectral norm there is no state: the file's g and v give the weight exactly.
/// </summary>
internal sealed class WeightNormConv2d : nn.Module<Tensor, Tensor>
{
    private readonly long padding;

    public WeightNormConv2d(long ni, long nf, long ks, Action<Tensor> init)
    {
        padding = (ks - 1) / 2;
        using var v = torch.empty(nf, ni, ks, ks);
        init(v);
        using var g = v.norm(2, new long[] { 1, 2, 3 }, keepdim: true);        // g = ‖v‖: the initial weight is v
        using var b = torch.zeros(nf);                                          // fastai's init_default zeroes the bias
        register_parameter("bias", nn.Parameter(b));                            // PyTorch's order: weight_norm re-registers g and v
        register_parameter("weight_g", nn.Parameter(g));
        register_parameter("weight_v", nn.Parameter(v));
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var v = get_parameter("weight_v");
        var weight = v * (get_parameter("weight_g") / v.norm(2, new long[] { 1, 2, 3 }, keepdim: true));
        return F.conv2d(x, weight, get_parameter("bias"), padding: padding).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// Sub-pixel upsampling ×2 (Shi et al. 2016) with ICNR init (Aitken et al. 2017): a 1×1 conv to 4·nf channels,
/// ReLU, PixelShuffle; with <c>blur</c>, a 2×2 average after a one-pixel replicate pad on the top/left
/// (Sugawara et al. 2019), which removes the checkerboard a shuffle can leave.
/// </summary>
public sealed class PixelShuffleIcnr : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential conv;
    private readonly nn.PixelShuffle shuf;
    private readonly nn.AvgPool2d blurPool;

    /// <param name="ni">Input channels.</param>
    /// <param name="nf">Output channels (default ni).</param>
    /// <param name="blur">Blur after the shuffle.</param>
    /// <param name="spectral">Spectral-normalized conv (DeOldify) instead of plain conv + BatchNorm.</param>
    /// <param name="extra_bn">BatchNorm after the spectral-norm conv (DeOldify's U-Net blocks).</param>
    /// <param name="weight_norm">A weight-normalized conv with a bias instead (fastai's PixelShuffle_ICNR default, DeOldify's last shuffle).</param>
    public PixelShuffleIcnr(long ni, long? nf = null, bool blur = false, bool spectral = true, bool extra_bn = false, bool weight_norm = false)
    {
        var outChannels = nf ?? ni;
        Blur = blur;
        conv = register_module("conv", weight_norm
            ? UnetLayers.WeightNormConvLayer(ni, outChannels * 4, 1, w => nn.init.icnr_(w, 2))
            : UnetLayers.ConvLayer(ni, outChannels * 4, ks: 1, spectral: spectral, extra_bn: extra_bn, use_activation: false, init: w => nn.init.icnr_(w, 2)));
        shuf = register_module("shuf", new nn.PixelShuffle(2));
        blurPool = register_module("blur", new nn.AvgPool2d(2, stride: 1));
        register_module("relu", new nn.ReLU());
    }

    public bool Blur { get; }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv.call(x);                                                      // (N, 4nf, H, W)
        h = UnetLayers.Then(h, h.relu());
        h = UnetLayers.Then(h, shuf.call(h));                                      // (N, nf, 2H, 2W)
        if (Blur)
        {
            h = UnetLayers.Then(h, F.pad(h, new long[] { 1, 0, 1, 0 }, "replicate"));
            h = UnetLayers.Then(h, blurPool.call(h));                              // same size, smoothed
        }
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Rows <paramref name="start"/> .. start + <paramref name="count"/> of <c>forward(x)</c> (output resolution), computed
    /// from the input rows they need only: the conv is 1×1 and the shuffle local, and the blur averages each row with the
    /// one above it (the replicated first row at the top), so a band needs one row more above and nothing else.
    /// </summary>
    internal Tensor forward_rows(Tensor x, long start, long count)
    {
        using var scope = torch.NewDisposeScope();
        var first = Blur ? Math.Max(0, start - 1) : start;
        var end = start + count;
        var (low, high) = (first / 2, (end + 1) / 2);                              // input rows behind output rows first .. end
        var h = conv.call(x.narrow(2, low, high - low));
        h = UnetLayers.Then(h, h.relu());
        h = UnetLayers.Then(h, shuf.call(h));                                      // output rows 2·low .. 2·high
        h = UnetLayers.Then(h, h.narrow(2, first - 2 * low, end - first));
        if (Blur)
        {
            h = UnetLayers.Then(h, F.pad(h, new long[] { 1, 0, start == 0 ? 1 : 0, 0 }, "replicate"));
            h = UnetLayers.Then(h, blurPool.call(h));                              // rows start .. end
        }
        return h.MoveToOuterDisposeScope();
    }
}

/// <summary>
/// A decoder block that can compute a band of its output rows from the rows of its inputs that band needs: every
/// layer after the upsampling is a 3×3 conv or pointwise (eval BatchNorm, ReLU), so a band needs <see cref="Halo"/>
/// rows more on either side. Self-attention mixes all positions, so a block that has it is not <see cref="Local"/>.
/// </summary>
internal interface IUnetBlockRows
{
    long Halo { get; }
    bool Local { get; }
    long OutChannels { get; }

    /// <summary>Channels of the concatenated map the block's first conv reads, the largest of its maps.</summary>
    long ConcatChannels { get; }

    /// <summary>Output rows start .. start + count of <c>forward(up_in, skip)</c> (a view; eval mode).</summary>
    Tensor forward_rows(Tensor up_in, Tensor skip, long start, long count);
}

/// <summary>
/// A decoder block of DeOldify's wide U-Net: upsample the deeper features to n_out/2 channels, concatenate
/// the batch-normalized encoder skip, ReLU, one conv to n_out/2 (+ self-attention).
/// </summary>
public sealed class UnetBlockWide : nn.Module<Tensor, Tensor, Tensor>, IUnetBlockRows
{
    private readonly PixelShuffleIcnr shuf;
    private readonly nn.BatchNorm2d bn;
    private readonly nn.Sequential conv;

    public UnetBlockWide(long up_in_c, long x_in_c, long n_out, bool blur = false, bool self_attention = false, bool spectral = true)
    {
        var upOut = n_out / 2;
        shuf = register_module("shuf", new PixelShuffleIcnr(up_in_c, upOut, blur, spectral, extra_bn: spectral));
        bn = register_module("bn", new nn.BatchNorm2d(x_in_c));
        conv = register_module("conv", UnetLayers.ConvLayer(upOut + x_in_c, upOut, spectral: spectral, extra_bn: spectral, self_attention: self_attention));
        register_module("relu", new nn.ReLU());
        OutChannels = upOut;
        ConcatChannels = upOut + x_in_c;
        Local = !self_attention;
    }

    public long OutChannels { get; }
    public long ConcatChannels { get; }
    public bool Local { get; }
    public long Halo => 1;

    Tensor IUnetBlockRows.forward_rows(Tensor up_in, Tensor skip, long start, long count) =>
        UnetBlockDeep.Rows(up_in, skip, start, count, Halo, (from, to) =>
        {
            var cat = UnetBlockDeep.UpAndSkipRows(shuf, bn, up_in, skip, from, to);
            return UnetLayers.Then(cat, conv.call(cat));
        });

    public override Tensor forward(Tensor up_in, Tensor skip)
    {
        using var scope = torch.NewDisposeScope();
        var cat = UnetBlockDeep.UpAndSkip(shuf, bn, up_in, skip);                  // (N, n_out/2 + x_in_c, Hs, Ws)
        return UnetLayers.Then(cat, conv.call(cat)).MoveToOuterDisposeScope();    // (N, n_out/2, Hs, Ws)
    }
}

/// <summary>
/// A decoder block of DeOldify's deep U-Net: upsample to half the channels, concatenate the normalized skip,
/// then two convs of (ni or ni/2)·nf_factor channels, the second with self-attention when asked.
/// </summary>
public sealed class UnetBlockDeep : nn.Module<Tensor, Tensor, Tensor>, IUnetBlockRows
{
    private readonly PixelShuffleIcnr shuf;
    private readonly nn.BatchNorm2d bn;
    private readonly nn.Sequential conv1, conv2;

    public UnetBlockDeep(long up_in_c, long x_in_c, bool final_div = true, bool blur = false, bool self_attention = false, double nf_factor = 1.0, bool spectral = true)
    {
        shuf = register_module("shuf", new PixelShuffleIcnr(up_in_c, up_in_c / 2, blur, spectral, extra_bn: spectral));
        bn = register_module("bn", new nn.BatchNorm2d(x_in_c));
        var ni = up_in_c / 2 + x_in_c;
        var nf = (long)((final_div ? ni : ni / 2) * nf_factor);
        conv1 = register_module("conv1", UnetLayers.ConvLayer(ni, nf, spectral: spectral, extra_bn: spectral));
        conv2 = register_module("conv2", UnetLayers.ConvLayer(nf, nf, spectral: spectral, extra_bn: spectral, self_attention: self_attention));
        register_module("relu", new nn.ReLU());
        OutChannels = nf;
        ConcatChannels = ni;
        Local = !self_attention;
    }

    public long OutChannels { get; }
    public long ConcatChannels { get; }
    public bool Local { get; }
    public long Halo => 2;

    Tensor IUnetBlockRows.forward_rows(Tensor up_in, Tensor skip, long start, long count) =>
        Rows(up_in, skip, start, count, Halo, (from, to) =>
        {
            var h = UpAndSkipRows(shuf, bn, up_in, skip, from, to);
            h = UnetLayers.Then(h, conv1.call(h));
            return UnetLayers.Then(h, conv2.call(h));
        });

    /// <summary>
    /// Output rows start .. start + count of a block whose convs need <paramref name="halo"/> rows on either side:
    /// <paramref name="convs"/> runs on rows from .. to (the band and its halo, cut at the map's edges, where the convs'
    /// zero padding is the right border) and the rows the halo spoiled are cut off.
    /// </summary>
    internal static Tensor Rows(Tensor up_in, Tensor skip, long start, long count, long halo, Func<long, long, Tensor> convs)
    {
        using var scope = torch.NewDisposeScope();
        var (from, to) = (Math.Max(0, start - halo), Math.Min(skip.size(2), start + count + halo));
        var h = convs(from, to);
        return UnetLayers.Then(h, h.narrow(2, start - from, count)).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="UpAndSkip"/> for rows from .. to only (the upsampled map lands exactly on the skip's size).</summary>
    internal static Tensor UpAndSkipRows(PixelShuffleIcnr shuf, nn.BatchNorm2d bn, Tensor up_in, Tensor skip, long from, long to)
    {
        var up = shuf.forward_rows(up_in, from, to - from);
        var normed = bn.call(skip.narrow(2, from, to - from));
        var cat = torch.cat(new[] { up, normed }, 1);
        up.Dispose();
        normed.Dispose();
        return UnetLayers.Then(cat, cat.relu());
    }

    public override Tensor forward(Tensor up_in, Tensor skip)
    {
        using var scope = torch.NewDisposeScope();
        var h = UpAndSkip(shuf, bn, up_in, skip);                                  // (N, ni, Hs, Ws)
        h = UnetLayers.Then(h, conv1.call(h));
        return UnetLayers.Then(h, conv2.call(h)).MoveToOuterDisposeScope();        // (N, nf, Hs, Ws)
    }

    /// <summary>Both blocks' start: relu(cat(upsampled, bn(skip))), each intermediate freed as soon as it is used.</summary>
    internal static Tensor UpAndSkip(PixelShuffleIcnr shuf, nn.BatchNorm2d bn, Tensor up_in, Tensor skip)
    {
        var up = shuf.call(up_in);
        up = UnetLayers.Then(up, MatchSize(up, skip));                             // (N, c, Hs, Ws)
        var normed = bn.call(skip);
        var cat = torch.cat(new[] { up, normed }, 1);
        up.Dispose();
        normed.Dispose();
        return UnetLayers.Then(cat, cat.relu());
    }

    /// <summary>Odd encoder sizes leave the upsampled map a pixel larger than the skip: nearest-resize it (fastai).</summary>
    internal static Tensor MatchSize(Tensor x, Tensor like) =>
        x.size(2) == like.size(2) && x.size(3) == like.size(3) ? x : F.interpolate(x, size: (like.size(2), like.size(3)), mode: "nearest");
}

/// <summary>fastai's res_block: two convs and the input added back (the last of them starts at zero with BatchNorm).</summary>
public sealed class UnetResBlock : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential conv1, conv2;

    public UnetResBlock(long nf, bool bottle = false, bool spectral = true)
    {
        var inner = bottle ? nf / 2 : nf;
        // SequentialEx(conv_layer, conv_layer, MergeLayer) keys: layers.0.*, layers.1.*
        var layers = register_module("layers", new nn.ModuleList(
            conv1 = UnetLayers.ConvLayer(nf, inner, spectral: spectral),
            conv2 = UnetLayers.ConvLayer(inner, nf, spectral: spectral)));
        if (!spectral) nn.init.zeros_(((nn.BatchNorm2d)conv2[2]).weight!); // fastai's BatchZero: the block starts as the identity
        _ = layers;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = conv1.call(x);
        h = UnetLayers.Then(h, conv2.call(h));
        return UnetLayers.Then(h, h + x).MoveToOuterDisposeScope();
    }
}

/// <summary>
/// fastai's DynamicUnet as DeOldify modified it (its "DynamicUnetWide"/"DynamicUnetDeep"): a ResNet encoder,
/// a middle of two convs, one decoder block per encoder resolution (skips from the stem's ReLU, layer1, layer2,
/// layer3), self-attention in the third block from the top, a last ×2 shuffle to full size, the input
/// concatenated back ("last_cross"), a residual block, a 1×1 conv to <c>n_out</c> channels and a sigmoid
/// scaled to <c>y_range</c>. Spectral norm throughout the decoder.
/// <para>Pixels in, pixels out: with <c>imagenet_normalize</c> the [0, 1] input is normalized by ImageNet's
/// mean/std (what ImageNet encoder weights expect) and the output, which DeOldify produces in that normalized
/// space as sigmoid·6 − 3 (its y_range (−3, 3) covers normalized [0, 1] pixels, −2.1..2.6), is mapped back to
/// pixels. Nothing is specific to colour: the SR U-Net (fastai lesson 7) is the same network on a bilinearly
/// pre-upsampled image.</para>
/// <para>State-dict keys follow DeOldify's SequentialEx: <c>layers.0</c> the encoder (<c>layers.0.4.0.conv1</c> is
/// ResNet's <c>layer1.0.conv1</c>), <c>layers.1</c> BatchNorm, <c>layers.3</c> the middle convs, <c>layers.4..7</c>
/// the blocks, <c>layers.8</c> the last shuffle, <c>layers.10</c> the res block, <c>layers.11</c> the 1×1 head.
/// DeOldify's last shuffle is fastai's PixelShuffle_ICNR as its vendored fastai builds it, weight-normalized with a bias
/// and always blurred (<c>upstream_final_shuffle</c>, which its published files need); ours by default is
/// spectral-normalized like the rest and not blurred.</para>
/// </summary>
public sealed class DynamicUnet : nn.Module<Tensor, Tensor>
{
    private static readonly int[] SkipIndices = { 6, 5, 4, 2 }; // layer3, layer2, layer1, the stem's ReLU (deepest first)
    private static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly ResNet encoderOwner;
    private readonly nn.Sequential encoder;
    private readonly nn.BatchNorm2d bn;
    private readonly nn.Sequential middle;
    private readonly nn.Module<Tensor, Tensor, Tensor>[] blocks;
    private readonly PixelShuffleIcnr shuffle;
    private readonly UnetResBlock? resBlock;
    private readonly nn.Sequential head;

    /// <param name="encoder">A ResNet (its avgpool/fc, if any, are unused). The U-Net owns and disposes it.</param>
    /// <param name="n_out">Output channels (3: RGB).</param>
    /// <param name="blocks">"wide" (DeOldify stable) or "deep" (DeOldify artistic).</param>
    /// <param name="nf_factor">Decoder width factor: wide blocks have 512·nf_factor channels, deep ones scale theirs.</param>
    /// <param name="blur">Blur after each shuffle (not the last, unless <paramref name="blur_final"/>).</param>
    /// <param name="self_attention">A SAGAN layer in the third decoder block from the top.</param>
    /// <param name="y_range">Sigmoid output scaled to this range (in the normalized space when normalizing); null: DeOldify's (−3, 3).</param>
    /// <param name="last_cross">Concatenate the input before the final res block.</param>
    /// <param name="bottle">Bottleneck the final res block to half width.</param>
    /// <param name="spectral">Spectral norm + extra BatchNorm in the decoder (DeOldify); false: fastai's plain BatchNorm decoder.</param>
    /// <param name="imagenet_normalize">Normalize [0, 1] input by ImageNet statistics and map the output back to pixels.</param>
    /// <param name="upstream_final_shuffle">DeOldify's last shuffle: weight norm, a bias, blur (its published generators).</param>
    public DynamicUnet(ResNet encoder, long n_out = 3, string blocks = "wide", double nf_factor = 1.0, bool blur = true, bool blur_final = true,
        bool self_attention = true, (double Low, double High)? y_range = null, bool last_cross = true, bool bottle = false, bool spectral = true,
        bool imagenet_normalize = true, bool upstream_final_shuffle = false)
    {
        UpstreamFinalShuffle = upstream_final_shuffle;
        if (blocks is not ("wide" or "deep")) throw new ArgumentException($"unknown U-Net block type '{blocks}'; known: wide, deep", nameof(blocks));
        encoderOwner = encoder;
        YRange = y_range ?? (-3, 3);
        LastCross = last_cross;
        ImagenetNormalize = imagenet_normalize && encoder.InChannels == 3;
        InChannels = encoder.InChannels;
        OutChannels = n_out;
        var ch = encoder.StageChannels;                          // stem, layer1..layer4
        var skipChannels = new[] { ch[3], ch[2], ch[1], ch[0] }; // at SkipIndices
        var ni = ch[4];
        var nf = (long)(512 * nf_factor);

        var layers = new List<nn.Module>();
        layers.Add(this.encoder = new nn.Sequential(encoder.Stages()));
        layers.Add(bn = new nn.BatchNorm2d(ni));
        layers.Add(new nn.ReLU());
        layers.Add(middle = new nn.Sequential(
            UnetLayers.ConvLayer(ni, ni * 2, spectral: spectral, extra_bn: spectral),
            UnetLayers.ConvLayer(ni * 2, ni, spectral: spectral, extra_bn: spectral)));
        var up = ni;
        this.blocks = new nn.Module<Tensor, Tensor, Tensor>[SkipIndices.Length];
        for (var i = 0; i < SkipIndices.Length; i++)
        {
            var notFinal = i != SkipIndices.Length - 1;
            var doBlur = blur && (notFinal || blur_final);
            var sa = self_attention && i == SkipIndices.Length - 3;
            if (blocks == "wide")
            {
                var block = new UnetBlockWide(up, skipChannels[i], notFinal ? nf : nf / 2, doBlur, sa, spectral);
                (this.blocks[i], up) = (block, block.OutChannels);
            }
            else
            {
                var block = new UnetBlockDeep(up, skipChannels[i], notFinal, doBlur, sa, nf_factor, spectral);
                (this.blocks[i], up) = (block, block.OutChannels);
            }
            layers.Add(this.blocks[i]);
        }
        // The vendored fastai's PixelShuffle_ICNR blurs whatever `blur` says (`if self.blur` tests the AvgPool2d module).
        layers.Add(shuffle = upstream_final_shuffle ? new PixelShuffleIcnr(up, blur: true, weight_norm: true) : new PixelShuffleIcnr(up, spectral: spectral));
        if (last_cross)
        {
            layers.Add(new MergeLayer());
            up += InChannels;
            layers.Add(resBlock = new UnetResBlock(up, bottle, spectral));
        }
        layers.Add(head = UnetLayers.ConvLayer(up, n_out, ks: 1, spectral: spectral, use_activation: false));
        register_module("layers", new nn.ModuleList(layers.ToArray()));
        register_buffer("mean", torch.tensor(ImageNetMean, new long[] { 1, 3, 1, 1 }), persistent: false);
        register_buffer("std", torch.tensor(ImageNetStd, new long[] { 1, 3, 1, 1 }), persistent: false);
    }

    public long InChannels { get; }
    public long OutChannels { get; }
    public (double Low, double High) YRange { get; }
    public bool LastCross { get; }
    public bool ImagenetNormalize { get; }
    public bool UpstreamFinalShuffle { get; }

    /// <summary>The encoder's total downsampling: inputs whose sides are multiples of this need no resizing inside.</summary>
    public const int Stride = 32;

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var input = ImagenetNormalize ? (x - get_buffer("mean")) / get_buffer("std") : x; // (N, C, H, W)
        var h = input;
        var skips = new Tensor[SkipIndices.Length];
        for (var i = 0; i < encoder.Count; i++)
        {
            var next = encoder[i].call(h);
            if (!ReferenceEquals(h, input) && !Array.Exists(skips, s => ReferenceEquals(s, h))) h.Dispose(); // freed as it goes (UnetLayers.Then)
            h = next;
            var k = Array.IndexOf(SkipIndices, i);
            if (k >= 0) skips[k] = h;                                 // 1/2 (stem), 1/4, 1/8, 1/16
        }                                                             // h: (N, 8w, H/32, W/32)
        h = UnetLayers.Then(h, bn.call(h));
        h = UnetLayers.Then(h, h.relu());
        h = UnetLayers.Then(h, middle.call(h));                       // (N, 8w, H/32, W/32)
        for (var i = 0; i < blocks.Length; i++)
        {
            var block = (IUnetBlockRows)blocks[i];
            var rows = block.Local ? BandRows(h, skips[i], block.ConcatChannels) : skips[i].size(2);
            h = UnetLayers.Then(h, rows < skips[i].size(2)                // ... up to (N, c, H/2, W/2)
                ? InBands(skips[i].size(2), rows, (start, count) => block.forward_rows(h, skips[i], start, count))
                : blocks[i].call(h, skips[i]));
            skips[i].Dispose();
        }
        var bandRows = BandRows(h, input, h.size(1) + (LastCross ? InChannels : 0));
        h = UnetLayers.Then(h, bandRows < input.size(2) ? InBands(input.size(2), bandRows, (start, count) => TailRows(h, input, start, count)) : Tail(h, input)); // (N, n_out, H, W)
        var (low, high) = YRange;
        h = h.sigmoid() * (high - low) + low;                         // SigmoidRange
        if (ImagenetNormalize && OutChannels == 3) h = h * get_buffer("std") + get_buffer("mean");
        return h.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// What one map of the tail or of a decoder block without self-attention may take when the U-Net runs inference
    /// (eval, no grad): larger ones run in bands of rows. DeOldify stable at render_factor 35 has 259-channel maps of
    /// 325 MB at 560², several alive at once in the res block; in bands each is about this size (plus its halo rows).
    /// </summary>
    internal long InferenceBandBytes { get; set; } = 24L << 20;

    /// <summary>The last shuffle to full size, the merge with the input, the res block and the head, on whole maps.</summary>
    private Tensor Tail(Tensor h, Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        h = shuffle.call(h);                                              // (N, c, H, W)
        if (LastCross)
        {
            h = UnetLayers.Then(h, UnetBlockDeep.MatchSize(h, input));
            h = UnetLayers.Then(h, torch.cat(new[] { h, input }, 1));     // (N, c + C, H, W)
            h = UnetLayers.Then(h, resBlock!.call(h));
        }
        return UnetLayers.Then(h, head.call(h)).MoveToOuterDisposeScope(); // (N, n_out, H, W)
    }

    /// <summary>
    /// Rows per band for a map of <paramref name="channels"/> at <paramref name="target"/>'s size made from
    /// <paramref name="low"/> by the ×2 shuffle: the whole height (no bands) when training, when such a map fits
    /// <see cref="InferenceBandBytes"/>, or when the shuffle does not land exactly on the target's size.
    /// </summary>
    internal long BandRows(Tensor low, Tensor target, long channels)
    {
        var height = target.size(2);
        if (training || torch.is_grad_enabled() || low.size(2) * 2 != height || low.size(3) * 2 != target.size(3)) return height;
        var rowBytes = channels * target.size(3) * target.size(0) * low.element_size();
        return Math.Max(16, InferenceBandBytes / rowBytes);
    }

    /// <summary>
    /// Output rows start .. start + count of <see cref="Tail"/>, from the rows of <paramref name="low"/> and the input they
    /// need: the res block's two 3×3 convs need two rows more on either side (their zero padding is right only at the
    /// image's own edges), which are cut off again before the 1×1 head.
    /// </summary>
    private Tensor TailRows(Tensor low, Tensor input, long start, long count)
    {
        using var scope = torch.NewDisposeScope();
        var halo = LastCross ? 2L : 0L;
        var (from, to) = (Math.Max(0, start - halo), Math.Min(input.size(2), start + count + halo));
        var h = shuffle.forward_rows(low, from, to - from);                          // (N, c, rows, W)
        if (LastCross)
        {
            h = UnetLayers.Then(h, torch.cat(new[] { h, input.narrow(2, from, to - from) }, 1));
            h = UnetLayers.Then(h, resBlock!.call(h));
        }
        h = UnetLayers.Then(h, h.narrow(2, start - from, count));
        return UnetLayers.Then(h, head.call(h)).MoveToOuterDisposeScope();           // (N, n_out, count, W)
    }

    /// <summary>
    /// A map of <paramref name="height"/> rows computed <paramref name="bandRows"/> at a time by
    /// <paramref name="rows"/>(start, count) into one output, so no full-size intermediate ever exists.
    /// </summary>
    private static Tensor InBands(long height, long bandRows, Func<long, long, Tensor> rows)
    {
        Inference.GlibcHeap.Trim(); // the free heap the stages before left resident (GlibcHeap)
        Tensor? output = null;
        for (var start = 0L; start < height; start += bandRows)
        {
            var count = Math.Min(bandRows, height - start);
            using var band = rows(start, count);
            if (output is null)
            {
                var shape = band.shape;
                shape[2] = height;
                output = torch.empty(shape, band.dtype, band.device);
            }
            using var target = output.narrow(2, start, count);
            target.copy_(band);
        }
        return output!;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) encoderOwner.Dispose(); // its classifier head, when it has one; the rest is already freed
    }

    /// <summary>fastai's MergeLayer(dense=True): a placeholder in <c>layers</c> for the concatenation done in forward.</summary>
    private sealed class MergeLayer : nn.Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => throw new InvalidOperationException("MergeLayer is applied by DynamicUnet.forward");
    }
}
