using System.Globalization;

using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.SuperResolution;

/// <summary>
/// Real-ESRGAN's <c>SRVGGNetCompact</c> (realesrgan/archs/srvgg_arch.py): a plain VGG-style stack that works entirely
/// in low resolution — conv3x3 + activation, <c>num_conv</c> × (conv3x3 + activation), a last conv3x3 to
/// <c>num_out_ch·upscale²</c> channels, PixelShuffle — plus the nearest-upsampled input, so the network learns the
/// residual over nearest (not bicubic) upsampling. Keys are upstream's: the one <c>body</c> list holds convs and
/// activations alternately (<c>body.0.weight</c> conv, <c>body.1.weight</c> PReLU with <c>num_feat</c> slopes, ...,
/// <c>body.{2·num_conv+2}</c> the last conv), so Real-ESRGAN's <c>realesr-general-x4v3.pth</c> (num_feat 64,
/// num_conv 32) and <c>realesr-animevideov3.pth</c> (num_feat 64, num_conv 16) load as they are.
/// </summary>
public sealed class SrVggNetCompact : nn.Module<Tensor, Tensor>, ISuperResolutionNet
{
    /// <summary>The activations upstream offers: PReLU (one slope per channel, init 0.25), ReLU, LeakyReLU(0.1).</summary>
    public static readonly IReadOnlyList<string> ActivationTypes = ["prelu", "relu", "leakyrelu"];

    private readonly nn.Sequential body;

    /// <param name="num_in_ch">Image channels in.</param>
    /// <param name="num_out_ch">Image channels out; upstream adds the upsampled input to the output, so equal to
    /// <paramref name="num_in_ch"/> (or the input has 1 channel, which broadcasts).</param>
    /// <param name="num_feat">Feature channels (64 in Real-ESRGAN's files).</param>
    /// <param name="num_conv">Convs between the first and the last (32 in realesr-general-x4v3, 16 in realesr-animevideov3).</param>
    /// <param name="upscale">Upscaling factor r (the last conv has num_out_ch·r² outputs).</param>
    /// <param name="act_type">prelu, relu or leakyrelu (slope 0.1), after every conv but the last.</param>
    public SrVggNetCompact(long num_in_ch = 3, long num_out_ch = 3, long num_feat = 64, long num_conv = 16, long upscale = 4, string act_type = "prelu")
    {
        if (upscale < 1) throw new ArgumentOutOfRangeException(nameof(upscale), upscale, "upscale must be 1 or more");
        if (num_conv < 0) throw new ArgumentOutOfRangeException(nameof(num_conv), num_conv, "num_conv must be 0 or more");
        if (!ActivationTypes.Contains(act_type)) throw new ArgumentException($"unknown act_type '{act_type}' ({string.Join(", ", ActivationTypes)})", nameof(act_type));
        if (num_in_ch != num_out_ch && num_in_ch != 1)
            throw new ArgumentException($"SRVGGNetCompact adds the nearest-upsampled input ({num_in_ch} channels) to its output ({num_out_ch} channels); they must match", nameof(num_out_ch));
        this.num_in_ch = num_in_ch;
        this.num_out_ch = num_out_ch;
        this.num_feat = num_feat;
        this.num_conv = num_conv;
        this.upscale = upscale;
        this.act_type = act_type;
        nn.Module<Tensor, Tensor> Activation() => act_type switch
        {
            "relu" => new nn.ReLU(),
            "leakyrelu" => new nn.LeakyReLU(0.1),
            _ => new nn.PReLU(num_feat),
        };
        var layers = new List<nn.Module<Tensor, Tensor>> { new nn.Conv2d(num_in_ch, num_feat, 3, padding: 1), Activation() };
        for (var i = 0; i < num_conv; i++)
        {
            layers.Add(new nn.Conv2d(num_feat, num_feat, 3, padding: 1));
            layers.Add(Activation());
        }
        layers.Add(new nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, padding: 1));
        body = register_module("body", new nn.Sequential(layers.ToArray()));
    }

    public long num_in_ch { get; }
    public long num_out_ch { get; }
    public long num_feat { get; }
    public long num_conv { get; }
    public long upscale { get; }
    public string act_type { get; }

    public string Architecture => "srvgg-compact";

    long ISuperResolutionNet.Scale => upscale;

    public IReadOnlyDictionary<string, string> Hyperparameters => new Dictionary<string, string>
    {
        ["num_in_ch"] = num_in_ch.ToString(CultureInfo.InvariantCulture),
        ["num_out_ch"] = num_out_ch.ToString(CultureInfo.InvariantCulture),
        ["channels"] = num_feat.ToString(CultureInfo.InvariantCulture),
        ["num_conv"] = num_conv.ToString(CultureInfo.InvariantCulture),
        ["act_type"] = act_type,
    };

    /// <summary>Built from a weights file's metadata (see <see cref="SuperResolutionModels"/>); <c>channels</c> is upstream's num_feat.</summary>
    internal static SrVggNetCompact FromHyperparameters(long scale, IReadOnlyDictionary<string, string> h) =>
        new(h.Long("num_in_ch", 3), h.Long("num_out_ch", 3), h.Long("channels", 64), h.Long("num_conv", 16), scale, h.GetValueOrDefault("act_type", "prelu"));

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, num_in_ch, nameof(SrVggNetCompact));
        using var scope = torch.NewDisposeScope();
        var features = body.call(x);                                               // (N, out·r², H, W)
        var y = F.pixel_shuffle(features, upscale);                                // (N, out, H·r, W·r)
        var nearest = F.interpolate(x, scale_factor: upscale, mode: "nearest");    // (N, in, H·r, W·r)
        return (y + nearest).MoveToOuterDisposeScope();
    }
}
