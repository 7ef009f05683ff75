using Workbench.Data;
using Workbench.Logging;
using Workbench.Torch;
using Workbench.Torch.Serialization;
using Workbench.Training.Callbacks;

namespace Workbench.Training;

/// <summary>What a run does when its folder already has checkpoints.</summary>
public enum ExistingRun
{
    /// <summary>Stop with an error that names --resume and --overwrite: a rerun never silently mixes two runs.</summary>
    Refuse,

    /// <summary>Continue from the folder's latest checkpoint (which must exist).</summary>
    Resume,

    /// <summary>Delete the folder and start over.</summary>
    Overwrite,
}

/// <summary>What a recipe's run reports on rank 0 besides its losses.</summary>
/// <param name="Config">The resolved config as JSON: saved beside the checkpoints, in each of them and in TensorBoard.</param>
/// <param name="Notes">More metadata for every checkpoint (the generator's <c>arch</c>, <c>spec</c> and <c>task</c>).</param>
/// <param name="Validation">Held-out scores every <see cref="ValidateEvery"/> steps and at the end; null for none.</param>
public sealed record RunReporting(
    string Config,
    int CheckpointEvery,
    TensorBoardLogger? TensorBoard = null,
    Func<TrainingState, IReadOnlyDictionary<string, double>>? Validation = null,
    int ValidateEvery = 0,
    IProgressSink? Progress = null,
    IReadOnlyDictionary<string, string>? Notes = null);

/// <summary>
/// Everything a training run needs besides its networks, losses and data, the same for every recipe: the thread
/// count, the run folder and one policy for an existing one (<see cref="ExistingRun"/>), torch.distributed's part
/// (DDP wrapping, this rank's data shard, files from rank 0 only), the callbacks only rank 0 runs (TensorBoard, loss
/// history, validation, checkpoints that carry the config, progress), what the step owns, and the export of weights.
/// A recipe then says only what is specific to its task.
/// </summary>
public sealed class TrainingRun : IDisposable
{
    private readonly List<IDisposable> owned = [];
    private readonly ThreadCount threads;

    private TrainingRun(string directory, ExistingRun existing, int threadCount, string device, TextWriter log)
    {
        Device = device switch
        {
            "cpu" => Device.CPU,
            "cuda" => new Device(DeviceType.CUDA, 0),
            _ => throw new ArgumentException($"device must be cpu or cuda, got '{device}'"),
        };
        threads = ThreadCount.Set(threadCount);
        Directory = Path.GetFullPath(directory);
        Existing = existing;
        Log = log;
        Parallel = DataParallel.Current;
    }

    /// <summary>The run folder (absolute): TensorBoard events, checkpoints, exported weights, summaries.</summary>
    public string Directory { get; }

    public ExistingRun Existing { get; }

    /// <summary>Where the networks train (cpu, or the first CUDA device).</summary>
    public Device Device { get; }

    /// <summary>Where the recipe writes its few lines; <see cref="TextWriter.Null"/> for none.</summary>
    public TextWriter Log { get; }

    /// <summary>This process's place in torch.distributed (rank 0 of 1 without a group).</summary>
    public DataParallel Parallel { get; }

    public bool IsMain => Parallel.IsMain;

    /// <summary>Every logged value (step losses, validation), as losses.csv has them.</summary>
    public LossHistory History { get; } = new();

    /// <summary>The run's TensorBoard writer (&lt;run&gt;/tb) on rank 0; null on the other ranks.</summary>
    public SummaryWriter? Writer { get; private set; }

    /// <summary>
    /// Prepares <paramref name="directory"/> on rank 0 by the <paramref name="existing"/> policy, while the other ranks
    /// wait, and sets libtorch's threads (<paramref name="threadCount"/>; 0 keeps the process's) until disposed.
    /// </summary>
    public static TrainingRun Open(string directory, ExistingRun existing, int threadCount = 0, TextWriter? log = null, string device = "cpu")
    {
        var run = new TrainingRun(directory, existing, threadCount, device, log ?? TextWriter.Null);
        try
        {
            if (run.IsMain) run.PrepareFolder();
            run.Parallel.Barrier(); // the other ranks read the folder (resume) only once rank 0 has prepared it
            if (run.IsMain) run.Writer = new SummaryWriter(Path.Combine(run.Directory, "tb"));
            return run;
        }
        catch
        {
            run.Dispose();
            throw;
        }
    }

    private void PrepareFolder()
    {
        var latest = Checkpointer.LatestPath(Directory);
        switch (Existing)
        {
            case ExistingRun.Overwrite when System.IO.Directory.Exists(Directory):
                System.IO.Directory.Delete(Directory, recursive: true);
                break;
            case ExistingRun.Resume when !File.Exists(latest):
                throw new FileNotFoundException($"nothing to resume: '{latest}' does not exist", latest);
            case ExistingRun.Refuse when File.Exists(latest):
                throw new ArgumentException($"run '{Directory}' already has checkpoints; continue it with --resume, replace it with --overwrite, or choose another run folder");
        }
        System.IO.Directory.CreateDirectory(Directory);
    }

    /// <summary>Keeps <paramref name="item"/> (a critic, an optimizer, a VGG) until the run is disposed.</summary>
    public T Own<T>(T item) where T : IDisposable
    {
        owned.Add(item);
        return item;
    }

    /// <summary>The network the train step calls: DDP over the default group when distributed (see <see cref="DataParallel.Wrap"/>).</summary>
    public nn.Module<Tensor, Tensor> Wrap(nn.Module<Tensor, Tensor> model, bool broadcastBuffers = true) => Parallel.Wrap(model, broadcastBuffers);

    /// <summary>This rank's shard of a dataset of <paramref name="count"/> items (unchanged outside a group).</summary>
    public DataLoaderOptions Shard(DataLoaderOptions options, int count, int seed) => Parallel.Shard(options, count, seed);

    /// <summary>Rank 0: NaN guard, notes, loss history, TensorBoard, validation, checkpoints, progress; other ranks only train.</summary>
    public List<Callback> Callbacks(RunReporting r)
    {
        if (!IsMain) return [new NanGuard()];
        var notes = new Dictionary<string, string>(r.Notes ?? new Dictionary<string, string>()) { ["config"] = r.Config };
        var callbacks = new List<Callback> { new NanGuard(), new RunNotes(notes), History, r.TensorBoard ?? new TensorBoardLogger(Writer!), new Checkpointer(r.CheckpointEvery) };
        if (r.Validation is not null) callbacks.Add(new Validation(r.ValidateEvery, r.Validation, Writer, History));
        if (r.Progress is not null) callbacks.Add(new ProgressReporter(r.Progress));
        return callbacks;
    }

    /// <summary>Runs the trainer, from the latest checkpoint when resuming; Ctrl-C (<paramref name="cancel"/>) stops after the current step.</summary>
    public TrainingState Fit<TBatch>(Trainer<TBatch> trainer, ITrainStep<TBatch> step, CancellationToken cancel, out TrainingPosition? resumedFrom) where TBatch : IDisposable
    {
        Log.WriteLine(trainer.Describe());
        resumedFrom = null;
        if (Existing == ExistingRun.Resume)
        {
            var latest = Checkpointer.LatestPath(Directory);
            resumedFrom = Checkpoint.Restore(latest, step.Models, step.Optimizers);
            Log.WriteLine($"resumed from {latest} at step {resumedFrom.GlobalStep}");
        }
        return trainer.Fit(resumedFrom, cancel);
    }

    /// <summary>Writes one model's weights with <paramref name="metadata"/> into the run folder, atomically, on rank 0 (null elsewhere).</summary>
    public string? Export(string fileName, nn.Module model, IReadOnlyDictionary<string, string> metadata)
    {
        if (!IsMain) return null;
        var path = Path.Combine(Directory, fileName);
        using var scope = torch.NewDisposeScope();
        SafeTensors.Save(path, model.state_dict(), metadata);
        return path;
    }

    public void Dispose()
    {
        Writer?.Dispose();
        for (var i = owned.Count - 1; i >= 0; i--) owned[i].Dispose();
        threads.Dispose();
    }
}
