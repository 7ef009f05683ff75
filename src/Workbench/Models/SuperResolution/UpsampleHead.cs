using Workbench.Torch;

namespace Workbench.Models.SuperResolution;

/// <summary>How an <see cref="UpsampleHead"/> reaches its scale.</summary>
public enum UpsampleSteps
{
    /// <summary>One sub-pixel convolution by the whole factor (ESPCN's x4).</summary>
    OneStep,

    /// <summary>Repeated x2 sub-pixel steps with an activation between them (the notes' x2x2; ESRGAN's layout). Needs a power-of-two scale.</summary>
    X2Steps,
}

/// <summary>
/// The upsampling tail shared by the SR generators, so the notes' "x4 vs x2x2" and "with or without convs after
/// upsampling" experiments change one argument. Layers run in order and are named "0", "1", ... as in an
/// nn.Sequential, so ESPCN's default head (conv → PixelShuffle) has the notes' keys <c>pixel_shuffle.0.weight</c>.
/// <para>Each step is conv3x3 → PixelShuffle(f); every step but the last output is followed by LeakyReLU.
/// With <c>convs_after</c> = 0 the last step's conv produces the image channels directly (ESPCN); with k &gt; 0
/// the steps produce <c>channels</c> features, followed by k−1 conv3x3+LeakyReLU and a final conv3x3 to the image.
/// No output activation (the notes: values outside [0, 1] are harmless, tanh/sigmoid saturate highlights).</para>
/// </summary>
public sealed class UpsampleHead : nn.Module<Tensor, Tensor>
{
    private readonly List<nn.Module<Tensor, Tensor>> layers = new();

    /// <param name="in_channels">Feature channels coming from the body.</param>
    /// <param name="scale">Upscaling factor (2, 3, 4, 8; X2Steps needs a power of two).</param>
    /// <param name="steps">One sub-pixel step by the whole factor, or x2 steps.</param>
    /// <param name="channels">Feature channels inside the head (after each shuffle); ignored by a one-step head without convs after.</param>
    /// <param name="convs_after">3x3 convs after the last upsampling (0: the upsampling conv outputs the image).</param>
    /// <param name="out_channels">Image channels produced.</param>
    /// <param name="negative_slope">LeakyReLU slope (the notes use 0.1 everywhere).</param>
    public UpsampleHead(long in_channels, long scale, UpsampleSteps steps = UpsampleSteps.OneStep, long channels = 64, int convs_after = 0, long out_channels = 3,
        double negative_slope = 0.1)
    {
        if (in_channels <= 0 || channels <= 0 || out_channels <= 0) throw new ArgumentException("channel counts must be positive");
        if (convs_after < 0) throw new ArgumentOutOfRangeException(nameof(convs_after), convs_after, "convs_after must be 0 or more");
        this.in_channels = in_channels;
        this.scale = scale;
        this.steps = steps;
        this.channels = channels;
        this.convs_after = convs_after;
        this.out_channels = out_channels;
        this.negative_slope = negative_slope;

        var factors = Factors(scale, steps);
        var c = in_channels;
        for (var i = 0; i < factors.Length; i++)
        {
            var last = i == factors.Length - 1 && convs_after == 0;
            var produced = last ? out_channels : channels;
            Add(new nn.Conv2d(c, produced * factors[i] * factors[i], 3, padding: 1));
            Add(new nn.PixelShuffle(factors[i]));
            if (!last) Add(new nn.LeakyReLU(negative_slope));
            c = channels;
        }
        for (var k = 0; k < convs_after; k++)
        {
            var last = k == convs_after - 1;
            Add(new nn.Conv2d(channels, last ? out_channels : channels, 3, padding: 1));
            if (!last) Add(new nn.LeakyReLU(negative_slope));
        }
    }

    public long in_channels { get; }
    public long scale { get; }
    public UpsampleSteps steps { get; }
    public long channels { get; }
    public int convs_after { get; }
    public long out_channels { get; }
    public double negative_slope { get; }

    /// <summary>The layers in order (as nn.Sequential's items).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;

    private void Add(nn.Module<Tensor, Tensor> layer)
    {
        register_module(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), layer);
        layers.Add(layer);
    }

    /// <summary>The sub-pixel factors applied in turn: [scale] or [2, 2, ...].</summary>
    public static long[] Factors(long scale, UpsampleSteps steps)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 1 or more");
        if (steps == UpsampleSteps.OneStep || scale == 1) return [scale];
        if ((scale & (scale - 1)) != 0) throw new ArgumentException($"x2 steps need a power-of-two scale, got {scale}", nameof(scale));
        return Enumerable.Repeat(2L, System.Numerics.BitOperations.Log2((ulong)scale)).ToArray();
    }

    /// <summary>Trainable parameters of a head with these arguments, without building it.</summary>
    public static long ParameterCount(long in_channels, long scale, UpsampleSteps steps = UpsampleSteps.OneStep, long channels = 64, int convs_after = 0, long out_channels = 3)
    {
        static long Conv(long i, long o) => i * o * 9 + o;
        var factors = Factors(scale, steps);
        long total = 0, c = in_channels;
        for (var i = 0; i < factors.Length; i++)
        {
            var produced = i == factors.Length - 1 && convs_after == 0 ? out_channels : channels;
            total += Conv(c, produced * factors[i] * factors[i]);
            c = channels;
        }
        for (var k = 0; k < convs_after; k++) total += Conv(channels, k == convs_after - 1 ? out_channels : channels);
        return total;
    }

    /// <summary>
    /// The head width whose parameter count is closest to <paramref name="target"/>: use it to compare a one-step
    /// head with an x2-steps head at equal size (a one-step x4 conv has 4x the outputs of an x2 conv).
    /// </summary>
    public static long ChannelsMatching(long target, long in_channels, long scale, UpsampleSteps steps, int convs_after, long out_channels = 3)
    {
        long best = 1, bestDiff = long.MaxValue;
        for (long c = 1; c <= 4096; c++)
        {
            var diff = Math.Abs(ParameterCount(in_channels, scale, steps, c, convs_after, out_channels) - target);
            if (diff < bestDiff) (best, bestDiff) = (c, diff);
        }
        return best;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        var x = input;
        foreach (var layer in layers) x = layer.call(x); // (N, C, H, W) → ... → (N, out, H·scale, W·scale)
        return x.MoveToOuterDisposeScope();
    }
}
