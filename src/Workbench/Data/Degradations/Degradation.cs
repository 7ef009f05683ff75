using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// One way of spoiling a photo, for training a model to undo it (super-resolution, JPEG artifact removal,
/// DeFade, colorization). Takes a CHW float32 image in [0, 1] (1 or 3 channels) and returns a new one,
/// also clamped to [0, 1]; the input is never modified. Every random choice comes from the
/// <see cref="Random"/> passed in (random ops in libtorch get a private generator seeded from it), so a
/// degradation is reproducible under a seed and independent of other threads — a DataLoader hands each
/// item its own seeded Random. The work runs on the CPU (an image on a GPU comes back to the GPU).
/// Degradations compose: <see cref="Then"/>, <see cref="WithProbability"/>, <see cref="OneOf"/> and
/// <see cref="Sequence"/> build a pipeline in the style of Real-ESRGAN's.
/// </summary>
public abstract class Degradation
{
    /// <summary>Applies the degradation; the result belongs to the caller's dispose scope.</summary>
    /// <param name="image">CHW float32 in [0, 1] with 1 or 3 channels.</param>
    /// <param name="random">The source of every random choice.</param>
    public Tensor Apply(Tensor image, Random random)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(random);
        if (image.dim() != 3 || image.size(0) is not (1 or 3))
            throw new ArgumentException($"{Name} expects a CHW image with 1 or 3 channels, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        if (image.dtype != ScalarType.Float32)
            throw new ArgumentException($"{Name} expects a float32 image in [0, 1], got {image.dtype.TorchName()}", nameof(image));
        using var scope = torch.NewDisposeScope();
        // Degradations are data-pipeline work (OpenCV, codecs): an image on a GPU is degraded on the CPU and sent back.
        var device = image.device;
        var input = device.Type == DeviceType.CPU ? image : image.cpu();
        var output = ApplyCore(input, random).clamp(0.0, 1.0);
        return (device.Type == DeviceType.CPU ? output : output.to(device)).MoveToOuterDisposeScope();
    }

    /// <summary>A short name for logs and <see cref="ToString"/>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>The work, inside a dispose scope opened by <see cref="Apply"/>; clamping to [0, 1] follows.</summary>
    protected abstract Tensor ApplyCore(Tensor image, Random random);

    /// <summary>This, then <paramref name="next"/>.</summary>
    public Degradation Then(Degradation next) => Sequence(this, next);

    /// <summary>Applies this with probability <paramref name="probability"/>, otherwise passes the image through.</summary>
    public Degradation WithProbability(double probability) => new RandomApply(this, probability);

    /// <summary>Applies the steps in order.</summary>
    public static Degradation Sequence(params Degradation[] steps) => new DegradationPipeline(steps);

    /// <summary>Applies one of the choices, picked uniformly.</summary>
    public static Degradation OneOf(params Degradation[] choices) => new OneOfDegradation(choices.Select(c => (c, 1.0)).ToArray());

    /// <summary>Applies one of the choices, picked with the given relative weights.</summary>
    public static Degradation OneOf(params (Degradation Choice, double Weight)[] choices) => new OneOfDegradation(choices);

    /// <summary>Passes the image through unchanged (a copy).</summary>
    public static Degradation Identity { get; } = new IdentityDegradation();

    /// <summary>A degradation from a function (for one-off steps in notebooks).</summary>
    public static Degradation Create(string name, Func<Tensor, Random, Tensor> apply) => new FunctionDegradation(name, apply);

    public override string ToString() => Name;

    private sealed class IdentityDegradation : Degradation
    {
        public override string Name => "Identity";

        protected override Tensor ApplyCore(Tensor image, Random random) => image.clone();
    }

    private sealed class FunctionDegradation(string name, Func<Tensor, Random, Tensor> apply) : Degradation
    {
        public override string Name => name;

        protected override Tensor ApplyCore(Tensor image, Random random) => apply(image, random);
    }
}

/// <summary>A closed interval [Min, Max] that random parameters are drawn from, uniformly.</summary>
public readonly record struct ValueRange(double Min, double Max)
{
    /// <summary>A fixed value.</summary>
    public static implicit operator ValueRange(double value) => new(value, value);

    public static implicit operator ValueRange((double Min, double Max) range) => new(range.Min, range.Max);

    public double Sample(Random random) => Min == Max ? Min : Min + (Max - Min) * random.NextDouble();

    /// <summary>An integer in [Min, Max], both ends included.</summary>
    public int SampleInt(Random random) => random.Next((int)Math.Ceiling(Min), (int)Math.Floor(Max) + 1);

    internal ValueRange Validate(string name, double lowest, double highest)
    {
        if (double.IsNaN(Min) || double.IsNaN(Max) || Min > Max || Min < lowest || Max > highest)
            throw new ArgumentOutOfRangeException(name, $"{name} must be a range within [{lowest}, {highest}] with min <= max, got [{Min}, {Max}]");
        return this;
    }

    public override string ToString() => Min == Max ? $"{Min:G4}" : $"[{Min:G4}, {Max:G4}]";
}
