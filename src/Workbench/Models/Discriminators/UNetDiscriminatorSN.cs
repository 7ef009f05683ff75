using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Models.Discriminators;

/// <summary>
/// Real-ESRGAN's U-Net discriminator with spectral normalization (Wang et al. 2021): a per-pixel realness map at
/// full resolution. Three stride-2 4x4 convs go down to 1/8, three bilinear x2 + conv3x3 steps come back up with
/// skip connections adding the encoder features of the same scale, then two convs and a 3x3 head. Spectral norm
/// on every inner conv bounds each layer's Lipschitz constant: Real-ESRGAN adds it because the U-Net critic and
/// the heavy degradations made GAN training unstable. Keys are Real-ESRGAN's
/// (<c>conv1.weight_orig</c>, <c>conv1.weight_u</c>, <c>conv1.weight_v</c>, ..., <c>conv9.weight</c>).
/// </summary>
public sealed class UNetDiscriminatorSN : nn.Module<Tensor, Tensor>
{
    private readonly nn.Conv2d conv0, conv1, conv2, conv3, conv4, conv5, conv6, conv7, conv8, conv9;

    /// <param name="num_in_ch">Image channels.</param>
    /// <param name="num_feat">Base width (64); the encoder doubles it at each of its three downsamplings.</param>
    /// <param name="skip_connection">Add encoder features to the decoder's (the U-Net part).</param>
    public UNetDiscriminatorSN(long num_in_ch = 3, long num_feat = 64, bool skip_connection = true)
    {
        this.num_in_ch = num_in_ch;
        this.num_feat = num_feat;
        this.skip_connection = skip_connection;
        var f = num_feat;
        static nn.Conv2d Sn(nn.Conv2d conv) => nn.utils.spectral_norm(conv);
        conv0 = register_module("conv0", new nn.Conv2d(num_in_ch, f, 3, padding: 1));
        // downsample
        conv1 = register_module("conv1", Sn(new nn.Conv2d(f, f * 2, 4, stride: 2, padding: 1, bias: false)));
        conv2 = register_module("conv2", Sn(new nn.Conv2d(f * 2, f * 4, 4, stride: 2, padding: 1, bias: false)));
        conv3 = register_module("conv3", Sn(new nn.Conv2d(f * 4, f * 8, 4, stride: 2, padding: 1, bias: false)));
        // upsample
        conv4 = register_module("conv4", Sn(new nn.Conv2d(f * 8, f * 4, 3, padding: 1, bias: false)));
        conv5 = register_module("conv5", Sn(new nn.Conv2d(f * 4, f * 2, 3, padding: 1, bias: false)));
        conv6 = register_module("conv6", Sn(new nn.Conv2d(f * 2, f, 3, padding: 1, bias: false)));
        // extra convolutions
        conv7 = register_module("conv7", Sn(new nn.Conv2d(f, f, 3, padding: 1, bias: false)));
        conv8 = register_module("conv8", Sn(new nn.Conv2d(f, f, 3, padding: 1, bias: false)));
        conv9 = register_module("conv9", new nn.Conv2d(f, 1, 3, padding: 1));
    }

    public long num_in_ch { get; }
    public long num_feat { get; }
    public bool skip_connection { get; }

    private static Tensor Act(Tensor x) => F.leaky_relu(x, 0.2);

    private static Tensor Up(Tensor x) => F.interpolate(x, scale_factor: 2, mode: "bilinear", align_corners: false);

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, num_in_ch, nameof(UNetDiscriminatorSN));
        ShapeChecks.Divisible(x, 8, nameof(UNetDiscriminatorSN)); // the skips add tensors of equal size only then
        using var scope = torch.NewDisposeScope();
        var x0 = Act(conv0.call(x));   // (N, F, H, W)
        var x1 = Act(conv1.call(x0));  // (N, 2F, H/2, W/2)
        var x2 = Act(conv2.call(x1));  // (N, 4F, H/4, W/4)
        var x3 = Act(conv3.call(x2));  // (N, 8F, H/8, W/8)

        var x4 = Act(conv4.call(Up(x3)));  // (N, 4F, H/4, W/4)
        if (skip_connection) x4 = x4 + x2;
        var x5 = Act(conv5.call(Up(x4)));  // (N, 2F, H/2, W/2)
        if (skip_connection) x5 = x5 + x1;
        var x6 = Act(conv6.call(Up(x5)));  // (N, F, H, W)
        if (skip_connection) x6 = x6 + x0;

        var y = Act(conv7.call(x6));
        y = Act(conv8.call(y));
        y = conv9.call(y);             // (N, 1, H, W) realness logits per pixel
        return y.MoveToOuterDisposeScope();
    }
}
