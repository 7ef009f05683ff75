using Workbench.Torch;

namespace Workbench.Models.Colorization;

/// <summary>
/// DeOldify's critic (its custom_gan_critic, after fastai's gan_critic): spectral-normalized convs with
/// LeakyReLU(0.2) and no BatchNorm, a 4×4 stride-2 conv per halving, a 3×3 conv between halvings, Dropout2d
/// against overfitting the few real images (p/2 after the stem, p in each block), self-attention in the first
/// block, and a 4×4 unpadded head giving one logit per patch, flattened to (N, patches). A 64×64 image gives
/// one patch; each extra 16 pixels of side adds one patch row/column.
/// </summary>
public sealed class ColorCritic : nn.Module<Tensor, Tensor>
{
    private static readonly float[] ImageNetMean = { 0.485f, 0.456f, 0.406f };
    private static readonly float[] ImageNetStd = { 0.229f, 0.224f, 0.225f };

    private readonly nn.Sequential layers;

    /// <param name="n_channels">Image channels.</param>
    /// <param name="nf">Channels of the first conv (DeOldify: 256); each block doubles them.</param>
    /// <param name="n_blocks">Halvings after the stem (3: a 64-pixel image becomes one 4×4 patch logit).</param>
    /// <param name="p">Dropout probability in the blocks (the stem gets p/2).</param>
    /// <param name="imagenet_normalize">Normalize [0, 1] pixels by ImageNet statistics first (as DeOldify's data are).</param>
    public ColorCritic(long n_channels = 3, long nf = 256, int n_blocks = 3, double p = 0.15, bool imagenet_normalize = true)
    {
        ImagenetNormalize = imagenet_normalize && n_channels == 3;
        var body = new nn.Sequential(Conv(n_channels, nf, 4, 2), new nn.Dropout2d(p / 2));
        for (var i = 0; i < n_blocks; i++)
        {
            body.append(Conv(nf, nf, 3, 1));
            body.append(new nn.Dropout2d(p));
            body.append(Conv(nf, nf * 2, 4, 2, self_attention: i == 0));
            nf *= 2;
        }
        body.append(Conv(nf, nf, 3, 1));
        body.append(Conv(nf, 1, 4, 1, padding: 0, bias: false, activation: false));
        body.append(new nn.Flatten());
        // Registered flat, so the keys are the reference Sequential's: "0.0.weight_orig", "4.2.gamma", ...
        var index = 0;
        foreach (var m in body) register_module((index++).ToString(System.Globalization.CultureInfo.InvariantCulture), m);
        layers = body;
        register_buffer("mean", torch.tensor(ImageNetMean, new long[] { 1, 3, 1, 1 }), persistent: false);
        register_buffer("std", torch.tensor(ImageNetStd, new long[] { 1, 3, 1, 1 }), persistent: false);
    }

    public bool ImagenetNormalize { get; }

    /// <summary>fastai's conv_layer with spectral norm: conv (Kaiming normal, zero bias) → LeakyReLU(0.2) → self-attention.</summary>
    private static nn.Sequential Conv(long ni, long nf, long ks, long stride, long? padding = null, bool bias = true, bool activation = true, bool self_attention = false)
    {
        var conv = new nn.Conv2d(ni, nf, ks, stride: stride, padding: padding ?? (ks - 1) / 2, bias: bias);
        nn.init.kaiming_normal_(conv.weight);
        if (conv.bias is { } b) nn.init.zeros_(b);
        var seq = new nn.Sequential(nn.utils.spectral_norm(conv));
        if (activation) seq.append(new nn.LeakyReLU(0.2));
        if (self_attention) seq.append(new nn.SelfAttention(nf));
        return seq;
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = ImagenetNormalize ? (x - get_buffer("mean")) / get_buffer("std") : x; // (N, C, H, W)
        foreach (var m in layers) h = m.call(h);                                      // ... (N, 1, H/16 − 3, W/16 − 3) → flattened
        return h.MoveToOuterDisposeScope();                                           // (N, patches)
    }
}
