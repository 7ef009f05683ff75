using Workbench.Torch;

namespace Workbench.Models.Discriminators;

/// <summary>
/// The SR notes' final discriminator: a per-pixel real/fake map at 1/8 resolution (256 → 32x32 logits), so the
/// generator learns where an image looks fake. VGG-like: two conv+BatchNorm+LeakyReLU(0.1) blocks then a 2x
/// downsampling, three times; then dilated convs (2, 4) widen the view without shrinking further, and 1x1
/// convs make independent per-position predictions. LeakyReLU because the critic must pass gradients,
/// including negative ones, back to the generator. Keys are the notes' (<c>layers.0.0.weight</c>, <c>layers.0.1.running_mean</c>).
/// <para>Use <see cref="RandomShiftCrop"/> as the GAN step's critic view (the notes' 0–7 px shift) and
/// NonRewardingRelativisticGanLoss (the notes' loss); the network itself holds no loss.</para>
/// </summary>
public sealed class DiscriminatorDilationNetwork : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential layers;

    /// <param name="mid_channels">Width of the first blocks; doubles after each downsampling (the notes' final run: 32).</param>
    /// <param name="in_channels">Image channels.</param>
    /// <param name="dropout">Dropout probability in the 1x1 prediction blocks (the notes tried it against generator overfitting; 0 = off).</param>
    /// <param name="downsampling">MaxPool (the notes) or a strided conv block.</param>
    public DiscriminatorDilationNetwork(long mid_channels = 32, long in_channels = 3, double dropout = 0.0, Downsampling downsampling = Downsampling.MaxPool)
    {
        if (mid_channels <= 0) throw new ArgumentOutOfRangeException(nameof(mid_channels), mid_channels, "mid_channels must be positive");
        if (dropout is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "dropout is a probability in [0, 1)");
        this.mid_channels = mid_channels;
        this.in_channels = in_channels;
        this.dropout = dropout;
        this.downsampling = downsampling;
        var m = mid_channels;
        if (downsampling == Downsampling.Strided) throw new ArgumentException("the dilation critic downsamples by MaxPool or ExtraConv (a stride-2 block in the pool's place)", nameof(downsampling));
        nn.Module<Tensor, Tensor> Down(long c) => downsampling == Downsampling.MaxPool ? new nn.MaxPool2d(2) : Block(c, c, 3, stride: 2);
        layers = register_module("layers", new nn.Sequential(
            Block(in_channels, m, 5),
            Block(m, m, 3),
            Down(m),                                  // 1/2
            Block(m, m * 2, 3),
            Block(m * 2, m * 2, 3),
            Down(m * 2),                              // 1/4
            Block(m * 2, m * 4, 3),
            Block(m * 4, m * 4, 3),
            Down(m * 4),                              // 1/8
            Block(m * 4, m * 8, 3),
            Block(m * 8, m * 8, 3, dilation: 2),
            Block(m * 8, m * 8, 3, dilation: 4),
            Block(m * 8, m * 8, 3),
            Block(m * 8, m * 16, 1, dropout: dropout),
            Block(m * 16, m, 1, dropout: dropout),
            new nn.Conv2d(m, 1, 1)));
    }

    public long mid_channels { get; }
    public long in_channels { get; }
    public double dropout { get; }
    public Downsampling downsampling { get; }

    /// <summary>conv (no bias: BatchNorm follows) → BatchNorm → LeakyReLU(0.1) [→ Dropout]; "same" size unless strided.</summary>
    private static nn.Sequential Block(long input, long output, long kernel, long dilation = 1, long stride = 1, double dropout = 0)
    {
        var conv = stride == 1
            ? new nn.Conv2d(input, output, kernel, padding: dilation == 1 ? new nn.Padding2("same") : new nn.Padding2(dilation * (kernel / 2)), dilation: dilation, bias: false)
            : new nn.Conv2d(input, output, kernel, stride: stride, padding: kernel / 2, bias: false);
        var block = new nn.Sequential(conv, new nn.BatchNorm2d(output), new nn.LeakyReLU(0.1));
        if (dropout > 0) block.append(new nn.Dropout(dropout));
        return block;
    }

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, in_channels, nameof(DiscriminatorDilationNetwork));
        ShapeChecks.AtLeast(x, 8, nameof(DiscriminatorDilationNetwork));
        using var scope = torch.NewDisposeScope();
        var logits = layers.call(x); // (N, 3, H, W) → (N, 1, ⌊H/8⌋, ⌊W/8⌋) realness logits per position
        return logits.MoveToOuterDisposeScope();
    }
}
