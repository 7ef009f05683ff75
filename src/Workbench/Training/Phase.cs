namespace Workbench.Training;

/// <summary>What a phase trains: one model, or a GAN's generator alone, critic alone, or both (NoGAN-style).</summary>
public enum PhaseKind
{
    Train,
    PretrainGenerator,
    PretrainCritic,
    Gan,
}

/// <summary>How the learning rate moves within a phase.</summary>
public enum LrShape
{
    /// <summary>The phase's rate throughout.</summary>
    Constant,

    /// <summary>Half-cosine from the phase's rate down to 1% of it.</summary>
    Cosine,

    /// <summary>fastai's one-cycle: warm up over the first 30%, then cosine down.</summary>
    OneCycle,
}

/// <summary>
/// One stretch of training at a fixed image size and batch size (DeOldify's progressive resizing:
/// the same layers, a growing size, a learning rate per size).
/// </summary>
/// <param name="Name">Used in logs and checkpoint names ("size128").</param>
/// <param name="Iterations">Optimizer steps in this phase.</param>
/// <param name="ImageSize">Training crop size; 0 when the data does not depend on it.</param>
/// <param name="BatchSize">Items per batch.</param>
/// <param name="LearningRate">Base rate of the phase (the generator's in a GAN; the critic gets its TTUR multiple).</param>
public sealed record Phase(string Name, int Iterations, int ImageSize, int BatchSize, double LearningRate, PhaseKind Kind = PhaseKind.Train, LrShape Shape = LrShape.Constant)
{
    /// <summary>The learning rate at an iteration of this phase.</summary>
    public double LearningRateAt(int iteration)
    {
        var t = Iterations <= 1 ? 1.0 : Math.Clamp(iteration / (double)(Iterations - 1), 0, 1);
        return Shape switch
        {
            LrShape.Cosine => LearningRate * (0.01 + 0.99 * 0.5 * (1 + Math.Cos(Math.PI * t))),
            LrShape.OneCycle when t < 0.3 => LearningRate * (0.04 + 0.96 * 0.5 * (1 - Math.Cos(Math.PI * t / 0.3))),
            LrShape.OneCycle => LearningRate * (1e-4 + (1 - 1e-4) * 0.5 * (1 + Math.Cos(Math.PI * (t - 0.3) / 0.7))),
            _ => LearningRate,
        };
    }

    public override string ToString() =>
        $"{Name}: {Kind}, {Iterations} it, size {ImageSize}, batch {BatchSize}, lr {LearningRate:G3} ({Shape})";
}

/// <summary>An ordered list of phases. <c>Schedule.Progressive(...)</c> writes DeOldify's recipe in one line.</summary>
public sealed record Schedule(IReadOnlyList<Phase> Phases)
{
    public int TotalIterations => Phases.Sum(p => p.Iterations);

    public static Schedule Single(int iterations, int batchSize, double learningRate, int imageSize = 0, LrShape shape = LrShape.Constant) =>
        new(new[] { new Phase("train", iterations, imageSize, batchSize, learningRate, PhaseKind.Train, shape) });

    /// <summary>One phase per (size, batch, iterations, lr), e.g. (64, 16, 500, 1e-3), (96, 12, 500, 5e-4), (128, 8, 500, 3e-4).</summary>
    public static Schedule Progressive(PhaseKind kind, params (int size, int batch, int iterations, double lr)[] steps) =>
        new(steps.Select(s => new Phase($"size{s.size}", s.iterations, s.size, s.batch, s.lr, kind)).ToList());

    /// <summary>Concatenates schedules (e.g. pretrain G, pretrain critic, then GAN).</summary>
    public Schedule Then(Schedule next) => new(Phases.Concat(next.Phases).ToList());

    public override string ToString() => string.Join(Environment.NewLine, Phases.Select((p, i) => $"  {i}. {p}"));
}
