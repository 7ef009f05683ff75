namespace Workbench.Training.Callbacks;

/// <summary>
/// Puts the run's notes (its resolved config, the generator's description) into <see cref="TrainingState.Notes"/>
/// before anything else runs, so every checkpoint and the TensorBoard log carry them.
/// </summary>
public sealed class RunNotes(IReadOnlyDictionary<string, string> notes) : Callback
{
    public override int Order => Orders.Schedule;

    public override void BeforeFit(TrainingState state)
    {
        foreach (var (key, value) in notes) state.Notes[key] = value;
    }

    public override string Describe() => $"RunNotes({string.Join(", ", notes.Keys)})";
}
