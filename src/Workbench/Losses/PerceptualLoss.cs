using Workbench.Models;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Losses;

/// <summary>Distance used to compare images or feature maps.</summary>
public enum Distance
{
    /// <summary>Mean absolute error (fastai's feature loss, ESRGAN).</summary>
    L1,

    /// <summary>Mean squared error (the SR notes, SRGAN).</summary>
    Mse,
}

/// <summary>
/// VGG perceptual (feature) loss: Σ wᵢ · d(φᵢ(output), φᵢ(target)) over chosen VGG layers, on images in [0, 1]
/// normalized with ImageNet's mean and std. Features are taken before the ReLU (the SR notes: after it, part of
/// the signal is zero; note the notes' own code kept in-place ReLUs, which silently turned its features into
/// post-activation ones). Target features carry no gradient; the VGG is frozen. Optionally a second term on
/// both images halved in linear light (γ 2.2 average pooling, as the notes' DownSampler): coarse structure,
/// a quarter of the cost.
/// <para>Build it on pretrained weights (<see cref="Vgg16.FromSafeTensors"/>). On random weights it still runs,
/// but <see cref="IsPretrained"/> is false and a warning is printed once: it is a random-feature loss then.</para>
/// </summary>
public sealed class PerceptualLoss : IDisposable
{
    /// <summary>The SR notes: every conv among VGG16's first 15 layers (conv1_1 … conv3_3), equal weights, MSE.</summary>
    public static readonly int[] NotesVgg16Layers = [0, 2, 5, 7, 10, 12, 14];

    /// <summary>
    /// fastai lesson 7's depths: the end of each of VGG16's first three blocks (fastai weights them 5, 15, 2 and hooks
    /// the ReLU there; these are the conv outputs just before it).
    /// </summary>
    public static readonly int[] FastaiVgg16Layers = [2, 7, 14];

    /// <summary>Real-ESRGAN: VGG19 conv1_2, conv2_2, conv3_4, conv4_4, conv5_4 with weights 0.1, 0.1, 1, 1, 1.</summary>
    public static readonly int[] RealEsrganVgg19Layers = [2, 7, 16, 25, 34];

    private readonly Vgg vgg;
    private readonly bool ownsVgg;
    private readonly Tensor mean, std;

    /// <param name="vgg">Frozen feature extractor (it must have the layers asked for).</param>
    /// <param name="layers">Indices into <c>features</c>, ascending; conv indices give pre-activation features.</param>
    /// <param name="weights">One weight per layer (default all 1).</param>
    /// <param name="distance">L1 or MSE per layer.</param>
    /// <param name="halfScaleWeight">Weight of the same loss on both images halved in linear light (0 = off; the notes used 1).</param>
    /// <param name="ownsVgg">Dispose the extractor with this loss.</param>
    /// <param name="warnings">Where the "random features" warning goes (default standard error).</param>
    public PerceptualLoss(Vgg vgg, IReadOnlyList<int> layers, IReadOnlyList<double>? weights = null, Distance distance = Distance.Mse, double halfScaleWeight = 0,
        bool ownsVgg = false, TextWriter? warnings = null)
    {
        this.vgg = vgg;
        this.ownsVgg = ownsVgg;
        Layers = layers.ToArray();
        Weights = VggLayerChoice.Weights(vgg, layers, weights, "perceptual");
        Distance = distance;
        HalfScaleWeight = halfScaleWeight;
        (mean, std) = VggLayerChoice.ImageNetStatistics();
        if (!vgg.IsPretrained)
            (warnings ?? Console.Error).WriteLine($"warning: {Describe()} runs on RANDOM {vgg.GetType().Name} weights (no weights file): it compares random features, " +
                "not perceptual ones. Convert torchvision's weights once (see the Vgg class doc) and load them with FromSafeTensors.");
    }

    /// <summary>The notes' loss: VGG16 layers 0..14 (every conv), MSE, optional half-scale term. Null path: seeded random weights, with the warning.</summary>
    public static PerceptualLoss Vgg16Notes(string? weightsPath, double halfScaleWeight = 0, long randomSeed = 0, TextWriter? warnings = null) =>
        new(weightsPath is null ? Vgg16.Random(randomSeed, 14) : Vgg16.FromSafeTensors(weightsPath, 14), NotesVgg16Layers, null, Distance.Mse, halfScaleWeight,
            ownsVgg: true, warnings);

    /// <summary>True when the VGG weights came from a file; false means a random-feature loss.</summary>
    public bool IsPretrained => vgg.IsPretrained;

    public IReadOnlyList<int> Layers { get; }
    public IReadOnlyList<double> Weights { get; }
    public Distance Distance { get; }
    public double HalfScaleWeight { get; }

    /// <summary>Weighted feature distance; a scalar in the caller's dispose scope, differentiable w.r.t. <paramref name="output"/>.</summary>
    public Tensor Compute(Tensor output, Tensor target)
    {
        if (!output.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"output [{string.Join(", ", output.shape)}] and target [{string.Join(", ", target.shape)}] differ in shape");
        using var scope = torch.NewDisposeScope();
        var loss = AtScale(output, target);
        if (HalfScaleWeight != 0) loss = loss + AtScale(HalveLinearLight(output), HalveLinearLight(target)) * HalfScaleWeight;
        return loss.MoveToOuterDisposeScope();
    }

    /// <summary>As a term for <see cref="CompositeLoss"/>.</summary>
    public LossTerm AsTerm(string name = "perceptual", double weight = 1) => new(name, weight, Compute);

    private Tensor AtScale(Tensor output, Tensor target)
    {
        var o = vgg.Extract(Normalize(output), Layers);
        IReadOnlyList<Tensor> t;
        using (torch.no_grad()) t = vgg.Extract(Normalize(target), Layers);
        Tensor? sum = null;
        for (var i = 0; i < Layers.Count; i++)
        {
            var d = Distance == Distance.L1 ? F.l1_loss(o[i], t[i]) : F.mse_loss(o[i], t[i]);
            var term = Weights[i] == 1 ? d : d * Weights[i];
            sum = sum is null ? term : sum + term;
        }
        return sum!;
    }

    private Tensor Normalize(Tensor image)
    {
        ShapeOk(image);
        return (image - mean.to(image.device)) / std.to(image.device);
    }

    private static void ShapeOk(Tensor image)
    {
        if (image.dim() != 4 || image.size(1) != 3) throw new ArgumentException($"expected RGB images (N, 3, H, W) in [0, 1], got [{string.Join(", ", image.shape)}]");
    }

    /// <summary>
    /// Halves an image averaging in linear light (x^2.2, 2x2 mean, ^(1/2.2)), as the notes' DownSampler. Values are
    /// clamped to [1e-6, 1] first: the power of a negative number is NaN and of 0 has an infinite slope.
    /// </summary>
    public static Tensor HalveLinearLight(Tensor image, double gamma = 2.2)
    {
        using var scope = torch.NewDisposeScope();
        var linear = image.clamp(1e-6, 1.0).pow(gamma);
        return F.avg_pool2d(linear, 2).pow(1.0 / gamma).MoveToOuterDisposeScope();
    }

    public string Describe() =>
        $"{vgg.GetType().Name} perceptual loss ({Distance}, layers {string.Join(", ", Layers)}{(HalfScaleWeight != 0 ? $", half scale x{HalfScaleWeight:G3}" : "")})";

    public override string ToString() => Describe() + (IsPretrained ? "" : " [RANDOM weights]");

    public void Dispose()
    {
        mean.Dispose();
        std.Dispose();
        if (ownsVgg) vgg.Dispose();
    }
}
