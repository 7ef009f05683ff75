using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Models.Colorization;

/// <summary>
/// Zhang et al. 2016's colorization network, sized for a CPU: L in, a distribution over the ab bins
/// (<see cref="AbBins"/>) out, at a quarter of the input size. The paper's shape is kept — strided 3×3 conv blocks
/// with BatchNorm down to 1/8, dilated convs there (dilation 2, 4, 2: a receptive field of the whole crop without
/// going deeper), one transposed conv back to 1/4, then a 1×1 classifier — with a U-Net skip from the 1/4 features
/// (the paper had none; it keeps edges of colour regions where the gray image has them) and widths
/// w, 2w, 4w, 8w instead of 64 … 512 (w = 64 is the paper's). Logits are float; decoding is <see cref="AbBins.AnnealedMean"/>.
/// Input (N, 3, H, W) gray RGB in [0, 1] (colour input is reduced to its lightness), H and W multiples of 8.
/// The 3×3 convs pad by reflection, not zeros: a zero border reads as a mid-gray frame round the photo, and a
/// network trained so paints that edge (magenta corners on bright skies).
/// </summary>
public sealed class ZhangColorNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential down1;
    private readonly nn.Sequential down2;
    private readonly nn.Sequential down3;
    private readonly nn.Sequential dilated;
    private readonly nn.ConvTranspose2d up;
    private readonly nn.Sequential fuse;
    private readonly nn.Conv2d head;

    /// <param name="bins">Classes Q (313 for the paper's 10-unit grid).</param>
    /// <param name="width">Base width w (the paper: 64).</param>
    public ZhangColorNet(long bins, long width = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Bins = bins;
        Width = width;
        var w = width;
        down1 = register_module("down1", Block((1, w, 1, 1), (w, 2 * w, 2, 1)));                         // 1/2
        down2 = register_module("down2", Block((2 * w, 4 * w, 2, 1), (4 * w, 4 * w, 1, 1)));             // 1/4
        down3 = register_module("down3", Block((4 * w, 8 * w, 2, 1), (8 * w, 8 * w, 1, 1)));             // 1/8
        dilated = register_module("dilated", Block((8 * w, 8 * w, 1, 2), (8 * w, 8 * w, 1, 4), (8 * w, 8 * w, 1, 2)));
        up = register_module("up", new nn.ConvTranspose2d(8 * w, 4 * w, 4, stride: 2, padding: 1));        // 1/8 → 1/4
        fuse = register_module("fuse", Block((8 * w, 4 * w, 1, 1), (4 * w, 4 * w, 1, 1)));
        head = register_module("head", new nn.Conv2d(4 * w, bins, 1));
    }

    public long Bins { get; }
    public long Width { get; }

    /// <summary>Output stride: logits are (H/4, W/4).</summary>
    public const int OutputStride = 4;

    /// <summary>Inputs whose sides are multiples of this need no padding.</summary>
    public const int Stride = 8;

    /// <summary>The smallest side the convs take: reflection needs the 1/8 map wider than the dilated conv's pad (4).</summary>
    public const int MinSide = 5 * Stride;

    public override Tensor forward(Tensor x)
    {
        ShapeChecks.Image(x, 3, nameof(ZhangColorNet));
        using var scope = torch.NewDisposeScope();
        var (height, width) = (x.size(2), x.size(3));
        var l = ColorSpace.RgbToLab(x).narrow(1, 0, 1) / 50 - 1;    // (N, 1, H, W) lightness in [−1, 1]
        if (height < MinSide || width < MinSide)                      // tiny inputs: edge pixels repeated out to MinSide
            l = nn.functional.pad(l, new long[] { 0, Math.Max(0, MinSide - width), 0, Math.Max(0, MinSide - height) }, "replicate");
        var quarter = down2.call(down1.call(l));                      // (N, 4w, H/4, W/4)
        var h = dilated.call(down3.call(quarter));                    // (N, 8w, H/8, W/8)
        h = fuse.call(torch.cat(new[] { up.call(h), quarter }, 1));   // (N, 4w, H/4, W/4)
        var logits = head.call(h);                                    // (N, Q, H/4, W/4)
        return logits.narrow(2, 0, height / OutputStride).narrow(3, 0, width / OutputStride).MoveToOuterDisposeScope();
    }

    /// <summary>Conv 3×3 (stride, dilation) → BatchNorm → ReLU, per (in, out, stride, dilation).</summary>
    private static nn.Sequential Block(params (long In, long Out, long Stride, long Dilation)[] convs)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        foreach (var (i, o, s, d) in convs)
        {
            layers.Add(new nn.Conv2d(i, o, 3, stride: s, padding: d, dilation: d, bias: false, padding_mode: "reflect"));
            layers.Add(new nn.BatchNorm2d(o));
            layers.Add(new nn.ReLU());
        }
        return new nn.Sequential(layers.ToArray());
    }
}
