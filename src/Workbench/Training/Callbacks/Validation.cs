using Workbench.Logging;

namespace Workbench.Training.Callbacks;

/// <summary>Runs an evaluation (PSNR on held-out images, ...) every <paramref name="every"/> steps and at the end; logs it.</summary>
public sealed class Validation(int every, Func<TrainingState, IReadOnlyDictionary<string, double>> evaluate, SummaryWriter? writer = null, LossHistory? history = null) : Callback
{
    public override int Order => Orders.Log - 1; // before LossHistory, so its final values reach losses.csv

    public IReadOnlyDictionary<string, double>? Last { get; private set; }

    public override void AfterStep(TrainingState state)
    {
        if (every > 0 && state.GlobalStep % every == 0) Run(state);
    }

    public override void AfterFit(TrainingState state)
    {
        if (state.Completed && (every <= 0 || state.GlobalStep % every != 0)) Run(state);
    }

    private void Run(TrainingState state)
    {
        Last = evaluate(state);
        // After a completed fit the phase index is past the last phase: record under the last one.
        var phase = state.Schedule.Phases[Math.Min(state.PhaseIndex, state.Schedule.Phases.Count - 1)].Name;
        foreach (var (name, value) in Last)
        {
            writer?.AddScalar($"validation/{name}", value, state.GlobalStep);
            history?.Record(state.GlobalStep, phase, "val_" + name, value);
        }
    }

    public override string Describe() => $"Validation(every {every})";
}
