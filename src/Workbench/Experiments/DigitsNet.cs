using System.Globalization;

using Workbench.Models;
using Workbench.Torch;

namespace Workbench.Experiments;

/// <summary>
/// A small CNN for 20x20 digits, for the notes' MNIST comparison of downsampling layers ("Striving for
/// Simplicity: The All Convolutional Net"): two conv stages of <c>channels</c> and 2·<c>channels</c> filters, each
/// followed by a 2x downsampling done the <see cref="Downsampling"/> way (20 → 10 → 5), then a linear classifier.
/// </summary>
public sealed class DigitsNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Sequential features;
    private readonly nn.Linear classifier;

    /// <param name="downsampling">How each stage halves the resolution.</param>
    /// <param name="channels">Filters of the first stage (the second has twice as many).</param>
    /// <param name="classes">Output logits.</param>
    /// <param name="size">Input side (20 for OpenCV's digits, 28 for MNIST); must be divisible by 4.</param>
    public DigitsNet(Downsampling downsampling = Downsampling.MaxPool, long channels = 16, long classes = 10, long size = 20)
    {
        if (size % 4 != 0) throw new ArgumentException($"the input side must be divisible by 4, got {size}", nameof(size));
        this.downsampling = downsampling;
        this.channels = channels;
        this.classes = classes;
        this.size = size;
        features = register_module("features", new nn.Sequential(Stage(1, channels).Concat(Stage(channels, 2 * channels)).ToArray()));
        classifier = register_module("classifier", new nn.Linear(2 * channels * (size / 4) * (size / 4), classes));
    }

    public Downsampling downsampling { get; }
    public long channels { get; }
    public long classes { get; }
    public long size { get; }

    /// <summary>One stage: conv3x3 + ReLU and a 2x downsampling (pool, stride, or an extra strided conv).</summary>
    private IEnumerable<nn.Module<Tensor, Tensor>> Stage(long input, long output)
    {
        switch (downsampling)
        {
            case Downsampling.MaxPool:
                return [new nn.Conv2d(input, output, 3, padding: 1), new nn.ReLU(), new nn.MaxPool2d(2)];
            case Downsampling.Strided:
                return [new nn.Conv2d(input, output, 3, stride: 2, padding: 1), new nn.ReLU()];
            case Downsampling.ExtraConv:
                return [new nn.Conv2d(input, output, 3, padding: 1), new nn.ReLU(), new nn.Conv2d(output, output, 3, stride: 2, padding: 1), new nn.ReLU()];
            default:
                throw new ArgumentOutOfRangeException(nameof(downsampling), downsampling, null);
        }
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = features.call(x);                   // (N, 1, S, S) → (N, 2C, S/4, S/4)
        var logits = classifier.call(h.flatten(1)); // (N, classes)
        return logits.MoveToOuterDisposeScope();
    }

    public override string extra_repr() => string.Create(CultureInfo.InvariantCulture, $"downsampling={downsampling}");
}
