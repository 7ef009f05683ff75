namespace Workbench.Training.Callbacks;

/// <summary>
/// Stops the run the moment a loss turns NaN or infinite, names the loss and the step, and marks the
/// run diverged so no checkpoint overwrites the last good one.
/// </summary>
public sealed class NanGuard : Callback
{
    public override int Order => Orders.Guard;

    public override void AfterStep(TrainingState state)
    {
        foreach (var (name, value) in state.LastStep!.Losses)
        {
            if (double.IsFinite(value)) continue;
            var kept = File.Exists(Checkpointer.LatestPath(state.RunDirectory))
                ? $"the last good checkpoint is {Checkpointer.LatestPath(state.RunDirectory)}"
                : "no checkpoint had been saved yet";
            state.RequestStop($"loss '{name}' became {value} at step {state.GlobalStep} (phase {state.Phase.Name}); stopped, {kept}", diverged: true);
            return;
        }
    }
}
