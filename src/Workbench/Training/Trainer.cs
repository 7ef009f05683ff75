using System.Text;

using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// The training loop: phases of iterations, one batch per iteration, callbacks around every event.
/// Everything else (logging, samples, checkpoints, guards, progress) is a <see cref="Callback"/>.
/// </summary>
public sealed class Trainer<TBatch> where TBatch : IDisposable
{
    private readonly ITrainStep<TBatch> step;
    private readonly Func<Phase, IBatchSource<TBatch>> data;
    private readonly List<Callback> callbacks = new();

    /// <param name="data">The batches for a phase (its image size and batch size); called once per phase.</param>
    public Trainer(ITrainStep<TBatch> step, Func<Phase, IBatchSource<TBatch>> data, Schedule schedule, string runDirectory, IEnumerable<Callback>? callbacks = null)
    {
        this.step = step;
        this.data = data;
        Schedule = schedule;
        RunDirectory = runDirectory;
        foreach (var c in callbacks ?? Array.Empty<Callback>()) Add(c);
    }

    public Schedule Schedule { get; }
    public string RunDirectory { get; }
    public IReadOnlyList<Callback> Callbacks => callbacks;

    public Trainer<TBatch> Add(Callback callback)
    {
        callbacks.Add(callback);
        callbacks.Sort((a, b) => a.Order.CompareTo(b.Order)); // List.Sort is unstable; ties keep no promise
        return this;
    }

    /// <summary>Runs the schedule from <paramref name="resume"/> (a checkpoint's position) or from the start.</summary>
    public TrainingState Fit(TrainingPosition? resume = null, CancellationToken cancel = default)
    {
        Directory.CreateDirectory(RunDirectory);
        var state = new TrainingState(Schedule, step.Models, step.Optimizers, RunDirectory);
        var at = resume ?? TrainingPosition.Start;
        (state.PhaseIndex, state.PhaseIteration, state.GlobalStep, state.DataEpoch, state.DataPosition) = (at.PhaseIndex, at.PhaseIteration, at.GlobalStep, at.DataEpoch, at.DataPosition);
        Fire(c => c.BeforeFit(state));
        try
        {
            while (state.PhaseIndex < Schedule.Phases.Count && !state.StopRequested)
            {
                RunPhase(state, cancel);
                if (state.StopRequested) break;
                Fire(c => c.AfterPhase(state));
                (state.PhaseIndex, state.PhaseIteration, state.DataEpoch, state.DataPosition) = (state.PhaseIndex + 1, 0, 0, 0);
            }
            state.Completed = !state.StopRequested;
        }
        catch (Exception e)
        {
            state.RequestStop($"failed at step {state.GlobalStep}: {e.Message}", diverged: true);
            throw;
        }
        finally
        {
            Fire(c => c.AfterFit(state));
        }
        return state;
    }

    private void RunPhase(TrainingState state, CancellationToken cancel)
    {
        var phase = state.Phase;
        Fire(c => c.BeforePhase(state));
        using var batches = Cycle(data(phase), state.DataEpoch, state.DataPosition).GetEnumerator();
        while (state.PhaseIteration < phase.Iterations && !state.StopRequested)
        {
            if (cancel.IsCancellationRequested || HostInterrupt.Requested())
            {
                state.Interrupted = true;
                state.RequestStop($"interrupted at step {state.GlobalStep}");
                return;
            }
            batches.MoveNext();
            var (batch, epoch, position) = batches.Current;
            Fire(c => c.BeforeStep(state));
            using (batch)
            using (torch.NewDisposeScope())
            {
                foreach (var (name, lr) in step.LearningRates(state))
                    foreach (var group in state.Optimizers[name].param_groups) group.lr = lr;
                state.LastStep = step.Run(batch, state);
            }
            (state.PhaseIteration, state.GlobalStep, state.DataEpoch, state.DataPosition) = (state.PhaseIteration + 1, state.GlobalStep + 1, epoch, position);
            Fire(c => c.AfterStep(state));
            state.LastStep.Dispose();
            (state.LastStep, state.KeepSamples) = (null, false);
        }
    }

    /// <summary>Endless batches: the rest of the current epoch, then whole epochs, each with its own shuffle.</summary>
    private static IEnumerable<(TBatch, int, int)> Cycle(IBatchSource<TBatch> source, int epoch, int position)
    {
        for (var emptyEpochs = 0; emptyEpochs < 2; epoch++, position = 0)
        {
            var any = false;
            foreach (var (batch, end) in source.Iterate(epoch, position))
            {
                any = true;
                yield return (batch, epoch, end);
            }
            emptyEpochs = any ? 0 : emptyEpochs + 1;
        }
        throw new InvalidOperationException("the training data yields no batches (an empty dataset, or DropLast with fewer items than one batch)");
    }

    private void Fire(Action<Callback> e)
    {
        foreach (var c in callbacks) e(c);
    }

    /// <summary>The loop as it will run: the step, the schedule, and which callbacks act at each event, in order.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.AppendLine($"Trainer<{typeof(TBatch).Name}> in {RunDirectory}");
        text.AppendLine($"  step: {step.Describe()}");
        text.AppendLine($"  schedule ({Schedule.TotalIterations} iterations):");
        foreach (var (p, i) in Schedule.Phases.Select((p, i) => (p, i))) text.AppendLine($"    {i}. {p}");
        foreach (var name in new[] { "BeforeFit", "BeforePhase", "BeforeStep", "AfterStep", "AfterPhase", "AfterFit" })
        {
            var acting = callbacks.Where(c => c.GetType().GetMethod(name)!.DeclaringType != typeof(Callback)).Select(c => c.Describe());
            text.AppendLine($"  {name,-12} {string.Join(" → ", acting.DefaultIfEmpty("-"))}");
        }
        return text.ToString();
    }
}
