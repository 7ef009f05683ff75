namespace Workbench.Training.Callbacks;

/// <summary>
/// Saves checkpoints under &lt;run&gt;/checkpoints: every <see cref="Every"/> iterations (step_00001000),
/// at the end of each phase (phase0_size64, DeOldify's weights per size), and on interruption;
/// latest.safetensors always holds the newest one. Never saves a diverged model: the last good file stays.
/// </summary>
public sealed class Checkpointer(int every = 1000) : Callback
{
    public int Every { get; } = every;

    public override int Order => Orders.Checkpoint;

    public string? LastSaved { get; private set; }

    public static string Directory(string runDirectory) => Path.Combine(runDirectory, "checkpoints");

    public static string LatestPath(string runDirectory) => Path.Combine(Directory(runDirectory), "latest.safetensors");

    public override void BeforeFit(TrainingState state)
    {
        System.IO.Directory.CreateDirectory(Directory(state.RunDirectory));
        if (state.Notes.TryGetValue("config", out var config))
            Torch.Serialization.AtomicFile.WriteAllText(Path.Combine(Directory(state.RunDirectory), "config.json"), config);
    }

    public override void AfterStep(TrainingState state)
    {
        if (Every > 0 && state.GlobalStep % Every == 0 && !state.Diverged) Save(state, $"step_{state.GlobalStep:D8}");
    }

    public override void AfterPhase(TrainingState state)
    {
        if (!state.Diverged) Save(state, $"phase{state.PhaseIndex}_{state.Phase.Name}");
    }

    public override void AfterFit(TrainingState state)
    {
        if (state.Interrupted && !state.Diverged) Save(state, $"interrupted_{state.GlobalStep:D8}");
    }

    private void Save(TrainingState state, string name)
    {
        var path = Path.Combine(Directory(state.RunDirectory), name + ".safetensors");
        Checkpoint.Save(path, state);
        // Written whole to a temporary name and renamed: a kill mid-write never leaves a torn "latest".
        Checkpoint.Save(LatestPath(state.RunDirectory), state);
        LastSaved = path;
    }

    public override string Describe() => $"Checkpointer(every {Every})";
}
