using Workbench.Losses;
using Workbench.Testing;
using Workbench.Torch;
using Workbench.Training;
using Workbench.Training.Callbacks;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Tests.Training;

[Collection(SequentialCollection.Name)]
public sealed class TrainerTests : IDisposable
{
    private readonly string runs = Directory.CreateTempSubdirectory("wb-train-").FullName;

    public void Dispose() => Directory.Delete(runs, recursive: true);

    private sealed record Run(TrainingState State, LossHistory History);

    /// <summary>Builds everything from scratch (fresh objects, as a new process would) and trains.</summary>
    private Run Train(string name, int iterations, string? resumeFrom = null, Func<Callback>? extra = null, CancellationToken cancel = default,
        Func<Tensor, Tensor, Tensor>? loss = null)
    {
        torch.manual_seed(1);
        using var model = new TinyModels.Upscaler();
        using var optimizer = new optim.Adam(model.parameters(), lr: 3e-3);
        var step = new SupervisedStep(model, new CompositeLoss(new LossTerm("pixel", 1, loss ?? ((o, t) => F.mse_loss(o, t)))), optimizer);
        var schedule = new Schedule(new[]
        {
            new Phase("size16", iterations / 2, 16, 4, 3e-3),
            new Phase("size24", iterations - iterations / 2, 24, 4, 1e-3, Shape: LrShape.Cosine),
        });
        var history = new LossHistory();
        var callbacks = new List<Callback> { history, new NanGuard(), new Checkpointer(every: 5) };
        if (extra is not null) callbacks.Add(extra());
        var trainer = new Trainer<Workbench.Data.ImageBatch>(step, phase => TinyModels.Loader(24, phase.ImageSize, phase.BatchSize), schedule, Path.Combine(runs, name), callbacks);
        var position = resumeFrom is null ? null : Checkpoint.Restore(resumeFrom, step.Models, step.Optimizers);
        return new Run(trainer.Fit(position, cancel), history);
    }

    [Fact]
    public void ResumedRunReproducesTheUninterruptedLossesExactly()
    {
        var full = Train("full", 20);
        Assert.True(full.State.Completed);
        var pixel = full.History.Series("pixel");
        Assert.Equal(20, pixel.Count);
        Assert.True(pixel[^1].Value < pixel[0].Value, "the loss should fall");

        var cancel = new CancellationTokenSource();
        var first = Train("split", 20, extra: () => new StopAt(13, cancel), cancel: cancel.Token);
        Assert.True(first.State.Interrupted);
        var saved = Path.Combine(runs, "split", "checkpoints", "interrupted_00000013.safetensors");
        Assert.True(File.Exists(saved));
        Assert.Equal(13, Checkpoint.ReadPosition(saved).GlobalStep);

        var second = Train("split", 20, resumeFrom: saved);
        Assert.True(second.State.Completed);
        Assert.Equal(13, first.History.Series("pixel").Count);
        // The resumed history starts with the interrupted run's rows (read back from its losses.csv), so the
        // resumed run's record is the whole run: bit-identical, as weights, moments, RNG and data order are.
        Assert.Equal(pixel, second.History.Series("pixel"));
        var csvRows = File.ReadLines(Path.Combine(runs, "split", "losses.csv")).Count(l => l.Contains(",pixel,", StringComparison.Ordinal));
        Assert.Equal(20, csvRows);
    }

    [Fact]
    public void ACheckpointResumesOnlyWithTheWorldSizeThatSavedIt()
    {
        using var model = new TinyModels.Upscaler();
        using var optimizer = new optim.SGD(model.parameters(), lr: 0.1);
        var models = new Dictionary<string, nn.Module> { ["g"] = model };
        var optimizers = new Dictionary<string, optim.Optimizer> { ["g"] = optimizer };
        var path = Path.Combine(runs, "two-ranks.safetensors");
        Checkpoint.Save(path, models, optimizers, new TrainingPosition(0, 7, 7, 0, 3), worldSize: 2);

        Assert.Equal(7, Checkpoint.Restore(path, models, optimizers, worldSize: 2).GlobalStep);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Restore(path, models, optimizers));
        Assert.Contains("two-ranks.safetensors", e.Message, StringComparison.Ordinal);
        Assert.Contains("saved by a run of 2 processes, resumed with 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AHostInterruptStopsTheRunWithACheckpoint()
    {
        var steps = 0;
        try
        {
            // What the Jupyter kernel's interrupt button does: no token in user code, a flag the trainer polls.
            HostInterrupt.Requested = () => steps >= 7;
            var run = Train("host", 20, extra: () => new CountSteps(() => steps++));
            Assert.True(run.State.Interrupted);
            Assert.Equal(7, run.State.GlobalStep);
            Assert.True(File.Exists(Path.Combine(runs, "host", "checkpoints", "interrupted_00000007.safetensors")));
        }
        finally
        {
            HostInterrupt.Requested = static () => false;
        }
    }

    private sealed class CountSteps(Action onStep) : Callback
    {
        public override void AfterStep(TrainingState state) => onStep();
    }

    private sealed class StopAt(long step, CancellationTokenSource cancel) : Callback
    {
        public override void AfterStep(TrainingState state)
        {
            if (state.GlobalStep == step) cancel.Cancel();
        }
    }

    [Fact]
    public void NanLossStopsTheRunNamesItAndKeepsTheLastGoodCheckpoint()
    {
        var calls = 0;
        var run = Train("nan", 20, loss: (o, t) => ++calls == 8 ? F.mse_loss(o, t) * double.NaN : F.mse_loss(o, t));
        Assert.False(run.State.Completed);
        Assert.True(run.State.Diverged);
        Assert.Contains("loss 'pixel' became NaN at step 8", run.State.StopReason);
        var latest = Checkpointer.LatestPath(Path.Combine(runs, "nan"));
        Assert.Equal(5, Checkpoint.ReadPosition(latest).GlobalStep);
        Assert.Contains(latest, run.State.StopReason);
    }

    [Fact]
    public void CallbacksFireInOrderAroundEveryEvent()
    {
        var log = new List<string>();
        Train("events", 4, extra: () => new Recorder(log));
        Assert.Equal(new[]
        {
            "BeforeFit", "BeforePhase size16", "BeforeStep 0", "AfterStep 1", "BeforeStep 1", "AfterStep 2", "AfterPhase size16",
            "BeforePhase size24", "BeforeStep 2", "AfterStep 3", "BeforeStep 3", "AfterStep 4", "AfterPhase size24", "AfterFit completed size24",
        }, log);
    }

    private sealed class Recorder(List<string> log) : Callback
    {
        public override void BeforeFit(TrainingState s) => log.Add("BeforeFit");
        public override void BeforePhase(TrainingState s) => log.Add($"BeforePhase {s.Phase.Name}");
        public override void BeforeStep(TrainingState s) => log.Add($"BeforeStep {s.GlobalStep}");
        public override void AfterStep(TrainingState s) => log.Add($"AfterStep {s.GlobalStep}");
        public override void AfterPhase(TrainingState s) => log.Add($"AfterPhase {s.Phase.Name}");
        public override void AfterFit(TrainingState s) => log.Add(s.Completed ? $"AfterFit completed {s.Phase.Name}" : "AfterFit stopped");
    }

    [Fact]
    public void DescribeShowsTheLoopWithItsCallbacks()
    {
        using var model = new TinyModels.Upscaler();
        using var optimizer = new optim.SGD(model.parameters(), lr: 0.1);
        var step = new SupervisedStep(model, new CompositeLoss(new LossTerm("pixel", 1, (o, t) => F.l1_loss(o, t))), optimizer);
        var trainer = new Trainer<Workbench.Data.ImageBatch>(step, _ => TinyModels.Loader(8, 16, 4), Schedule.Single(10, 4, 0.1, 16), Path.Combine(runs, "d"),
            new Callback[] { new Checkpointer(), new NanGuard(), new LossHistory() });
        var text = trainer.Describe();
        Assert.Contains("SupervisedStep(Upscaler, loss = pixel, SGD)", text);
        Assert.Contains("AfterStep    NanGuard → LossHistory → Checkpointer(every 1000)", text);
        Assert.Contains("BeforeStep   -", text);
    }

    [Fact]
    public void PhaseLearningRatesFollowTheirShape()
    {
        var cosine = new Phase("p", 101, 0, 1, 1.0, Shape: LrShape.Cosine);
        Assert.Equal(1.0, cosine.LearningRateAt(0), 12);
        Assert.Equal(0.01, cosine.LearningRateAt(100), 12);
        var cycle = new Phase("p", 101, 0, 1, 1.0, Shape: LrShape.OneCycle);
        Assert.Equal(0.04, cycle.LearningRateAt(0), 12);
        Assert.Equal(1.0, cycle.LearningRateAt(30), 12);
        Assert.True(cycle.LearningRateAt(100) < 1e-3);
    }
}
