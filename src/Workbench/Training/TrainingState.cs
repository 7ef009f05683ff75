using Workbench.Torch;

namespace Workbench.Training;

/// <summary>Where a run is: what resume needs to continue exactly, saved in every checkpoint.</summary>
public sealed record TrainingPosition(int PhaseIndex, int PhaseIteration, long GlobalStep, int DataEpoch, int DataPosition)
{
    public static readonly TrainingPosition Start = new(0, 0, 0, 0, 0);
}

/// <summary>
/// Everything callbacks see: the schedule and position, the models and optimizers, the last step's
/// losses (and sample images when a callback asked for them), and the stop flag.
/// </summary>
public sealed class TrainingState
{
    internal TrainingState(Schedule schedule, IReadOnlyDictionary<string, nn.Module> models, IReadOnlyDictionary<string, optim.Optimizer> optimizers, string runDirectory)
    {
        Schedule = schedule;
        Models = models;
        Optimizers = optimizers;
        RunDirectory = runDirectory;
    }

    public Schedule Schedule { get; }
    public IReadOnlyDictionary<string, nn.Module> Models { get; }
    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <summary>runs/&lt;name&gt;: TensorBoard files, checkpoints, samples, the resolved config.</summary>
    public string RunDirectory { get; }

    /// <summary>The phase running; after the last one completes it equals the number of phases.</summary>
    public int PhaseIndex { get; internal set; }

    /// <summary>The current phase (the last one once the schedule is complete, so AfterFit callbacks can name it).</summary>
    public Phase Phase => Schedule.Phases[Math.Min(PhaseIndex, Schedule.Phases.Count - 1)];

    /// <summary>Iterations done in the current phase (0 before its first step).</summary>
    public int PhaseIteration { get; internal set; }

    /// <summary>Optimizer steps done in the whole run.</summary>
    public long GlobalStep { get; internal set; }

    public int DataEpoch { get; internal set; }
    public int DataPosition { get; internal set; }

    public TrainingPosition Position => new(PhaseIndex, PhaseIteration, GlobalStep, DataEpoch, DataPosition);

    /// <summary>The step that just ran (valid in AfterStep).</summary>
    public StepOutput? LastStep { get; internal set; }

    /// <summary>Set by a callback in BeforeStep to have the next step keep input/output/target images.</summary>
    public bool KeepSamples { get; set; }

    /// <summary>Extra values a step or callback attaches for others (resolved config text, metrics).</summary>
    public Dictionary<string, string> Notes { get; } = new();

    public bool StopRequested { get; private set; }
    public string? StopReason { get; private set; }

    /// <summary>True when training stopped because the model can no longer be trusted (NaN/Inf): nothing may be saved.</summary>
    public bool Diverged { get; private set; }

    /// <summary>True when the user interrupted (Ctrl-C): checkpoint, then exit.</summary>
    public bool Interrupted { get; internal set; }

    public bool Completed { get; internal set; }

    public void RequestStop(string reason, bool diverged = false)
    {
        if (StopRequested) return;
        StopRequested = true;
        StopReason = reason;
        Diverged = diverged;
    }
}

/// <summary>What one iteration produced: named loss values (already on the host) and optional sample images.</summary>
public sealed class StepOutput : IDisposable
{
    public StepOutput(IReadOnlyDictionary<string, double> losses) => Losses = losses;

    public IReadOnlyDictionary<string, double> Losses { get; }

    /// <summary>(N,C,H,W) batch images kept when <see cref="TrainingState.KeepSamples"/> was set; owned by this object.</summary>
    public Tensor? Input { get; init; }
    public Tensor? Output { get; init; }
    public Tensor? Target { get; init; }

    public void Dispose()
    {
        Input?.Dispose();
        Output?.Dispose();
        Target?.Dispose();
    }
}
