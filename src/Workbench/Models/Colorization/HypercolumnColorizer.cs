using System.Text.Json;

using Workbench.Data;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.Colorization;

/// <summary>
/// How <see cref="HypercolumnColorizer"/> is built; recorded in weights files so they rebuild themselves.
/// </summary>
/// <param name="Head">"hypercolumn" (taps upsampled to full size and concatenated, then convs) or "residual" (the lecture's residual encoder: top-down, adding each lower tap).</param>
/// <param name="ColorSpace">"yuv" (predict UV, keep Y) or "lab" (predict ab, keep L).</param>
/// <param name="Hidden">Hidden conv widths of the hypercolumn head (the lecture: 128 and 64).</param>
/// <param name="FreezeVgg">Keep the VGG fixed (pretrained weights); false trains it too (needed when it starts random).</param>
public sealed record HypercolumnSpec(string Head = "residual", string ColorSpace = "yuv", int[]? Hidden = null, bool FreezeVgg = true)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public int[] HiddenWidths => Hidden ?? new[] { 128, 64 };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static HypercolumnSpec FromJson(string json) => JsonSerializer.Deserialize<HypercolumnSpec>(json, Json) ?? throw new ArgumentException("empty hypercolumn spec");

    /// <summary>The network on random VGG16 weights (the weights file, if any, brings trained ones).</summary>
    public HypercolumnColorizer Build(Vgg16? vgg = null) => new(vgg ?? new Vgg16(last_layer: HypercolumnColorizer.LastVggLayer), Head, ColorSpace, HiddenWidths, FreezeVgg);
}

/// <summary>
/// The hypercolumn lecture's colorizer (after Hariharan et al. 2015's hypercolumns): the gray image goes through
/// VGG16, the activations before each of the first four max-pools (64, 128, 256, 512 channels at 1, 1/2, 1/4, 1/8
/// size) are the taps, and a head turns them into two chroma channels squashed by a sigmoid. The input's own
/// luminance is kept, so the output's intensity always equals the input's (YUV: U, V predicted, Y kept; Lab:
/// a, b predicted, L kept — Zhang et al.'s colour space, here as regression with the blurred-distance loss, not
/// their classification over quantized ab bins). BatchNorm instead of biases, ReLU everywhere but the sigmoid.
/// <para>Two heads from the lecture: "hypercolumn" upsamples every tap to full size and concatenates them with
/// the input (963 channels) before 3×3 convs of 128 and 64 channels — memory-hungry at full resolution;
/// "residual" (its "residual encoder", the one it kept) starts at the top tap, predicts colour features,
/// upsamples them and adds each lower tap on the way down, ending at the input itself.</para>
/// Input (N, 3, H, W) in [0, 1] (gray as 3 channels; colour input is reduced to its luma); output RGB.
/// </summary>
public sealed class HypercolumnColorizer : nn.Module<Tensor, Tensor>
{
    /// <summary>VGG16 feature indices of the ReLUs before pools 1–4 (relu1_2, relu2_2, relu3_3, relu4_3).</summary>
    internal static readonly int[] Taps = { 3, 8, 15, 22 };
    internal const int LastVggLayer = 22;
    private static readonly long[] TapChannels = { 64, 128, 256, 512 };
    private static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly Vgg16 vgg;
    private readonly nn.ModuleList<nn.BatchNorm2d> tap_bn;
    private readonly nn.ModuleList<nn.Sequential> head;

    /// <param name="vgg">VGG16 features (at least up to layer 22); pretrained ones come from <see cref="Vgg16.FromSafeTensors"/>.</param>
    /// <param name="head">"hypercolumn" or "residual".</param>
    /// <param name="color_space">"yuv" or "lab".</param>
    /// <param name="hidden">Hidden widths of the hypercolumn head.</param>
    /// <param name="freeze_vgg">Keep the VGG weights fixed.</param>
    public HypercolumnColorizer(Vgg16 vgg, string head = "residual", string color_space = "yuv", int[]? hidden = null, bool freeze_vgg = true)
    {
        if (head is not ("hypercolumn" or "residual")) throw new ArgumentException($"unknown head '{head}'; known: hypercolumn, residual", nameof(head));
        if (color_space is not ("yuv" or "lab")) throw new ArgumentException($"unknown colour space '{color_space}'; known: yuv, lab", nameof(color_space));
        if (vgg.LayerCount <= LastVggLayer) throw new ArgumentException($"the VGG16 needs feature layers up to {LastVggLayer}", nameof(vgg));
        Head = head;
        ColorSpaceName = color_space;
        FreezeVgg = freeze_vgg;
        this.vgg = register_module("vgg", vgg);
        vgg.requires_grad_(!freeze_vgg);
        tap_bn = register_module("tap_bn", new nn.ModuleList<nn.BatchNorm2d>(TapChannels.Append(3).Select(c => new nn.BatchNorm2d(c))));
        var widths = hidden ?? new[] { 128, 64 };
        var convs = new List<nn.Sequential>();
        if (head == "hypercolumn")
        {
            long ni = TapChannels.Sum() + 3;                                    // 963 channels, as the lecture counts
            foreach (var w in widths)
            {
                convs.Add(ConvBnRelu(ni, w, 3));
                ni = w;
            }
            convs.Add(new nn.Sequential(new nn.Conv2d(ni, 2, 1)));
        }
        else
        {
            convs.Add(ConvBnRelu(512, 256, 1));                               // top tap → colour features
            convs.Add(ConvBnRelu(256, 128, 3));                               // + relu3_3, → width of relu2_2
            convs.Add(ConvBnRelu(128, 64, 3));                                // + relu2_2, → width of relu1_2
            convs.Add(ConvBnRelu(64, 3, 3));                                  // + relu1_2, → the input's 3 channels
            convs.Add(ConvBnRelu(3, 3, 3));                                   // + the input
            convs.Add(new nn.Sequential(new nn.Conv2d(3, 2, 3, padding: 1)));  // → chroma
        }
        this.head = register_module("head", new nn.ModuleList<nn.Sequential>(convs));
        register_buffer("mean", torch.tensor(ImageNetMean, new long[] { 1, 3, 1, 1 }), persistent: false);
        register_buffer("std", torch.tensor(ImageNetStd, new long[] { 1, 3, 1, 1 }), persistent: false);
    }

    public string Head { get; }
    public string ColorSpaceName { get; }
    public bool FreezeVgg { get; }

    public HypercolumnSpec Spec => new(Head, ColorSpaceName, null, FreezeVgg);

    private static nn.Sequential ConvBnRelu(long ni, long nf, long ks) =>
        new(new nn.Conv2d(ni, nf, ks, padding: (ks - 1) / 2, bias: false), new nn.BatchNorm2d(nf), new nn.ReLU());

    protected override void SetTrainingMode(bool mode)
    {
        base.SetTrainingMode(mode);
        if (FreezeVgg) vgg.eval(); // a frozen extractor stays in inference mode
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var gray = ColorSpace.Luma(x.size(1) == 3 ? x : x.expand(-1, 3, -1, -1));          // (N, 1, H, W)
        var gray3 = gray.expand(-1, 3, -1, -1);
        var normalized = (gray3 - get_buffer("mean")) / get_buffer("std");
        var taps = vgg.Extract(normalized, Taps);                                      // (N, 64, H, W) … (N, 512, H/8, W/8)
        var (h, w) = (x.size(2), x.size(3));
        Tensor chroma;
        if (Head == "hypercolumn")
        {
            var columns = taps.Select((t, i) => Up(tap_bn[i].call(t), h, w)).Append(tap_bn[4].call(normalized)).ToList();
            var z = torch.cat(columns, 1);                                             // (N, 963, H, W)
            foreach (var layer in head) z = layer.call(z);
            chroma = z;                                                                // (N, 2, H, W)
        }
        else
        {
            var z = head[0].call(tap_bn[3].call(taps[3]));                             // (N, 256, H/8, W/8)
            for (var i = 2; i >= 0; i--)
                z = head[3 - i].call(Up(z, taps[i].size(2), taps[i].size(3)) + tap_bn[i].call(taps[i])); // … (N, 3, H, W)
            z = head[4].call(z + tap_bn[4].call(normalized));                          // (N, 3, H, W)
            chroma = head[5].call(z);                                                  // (N, 2, H, W)
        }
        var s = chroma.sigmoid() * 2 - 1;                                              // (−1, 1)
        Tensor rgb;
        if (ColorSpaceName == "yuv")
        {
            var uv = s * torch.tensor(new[] { 0.436f, 0.615f }, new long[] { 1, 2, 1, 1 }); // YUV's chroma ranges
            rgb = ColorSpace.YuvToRgb(torch.cat(new[] { gray, uv }, 1));
        }
        else
        {
            var l = ColorSpace.RgbToLab(gray3).narrow(1, 0, 1);
            rgb = ColorSpace.LabToRgb(torch.cat(new[] { l, s * 110 }, 1));             // a, b within ±110
        }
        return rgb.MoveToOuterDisposeScope();                                          // (N, 3, H, W)
    }

    private static Tensor Up(Tensor t, long h, long w) =>
        t.size(2) == h && t.size(3) == w ? t : F.interpolate(t, size: (h, w), mode: "bilinear", align_corners: false);
}
