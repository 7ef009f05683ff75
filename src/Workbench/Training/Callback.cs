namespace Workbench.Training;

/// <summary>
/// Behaviour attached to the loop (logging, sampling, checkpoints, guards). The events are a closed set;
/// override the ones you need. Callbacks run in ascending <see cref="Order"/> at every event.
/// </summary>
public abstract class Callback
{
    /// <summary>Lower runs first. Guards that may stop the run come before loggers, checkpoints after them.</summary>
    public virtual int Order => 0;

    public virtual void BeforeFit(TrainingState state) { }
    public virtual void BeforePhase(TrainingState state) { }
    public virtual void BeforeStep(TrainingState state) { }
    public virtual void AfterStep(TrainingState state) { }
    public virtual void AfterPhase(TrainingState state) { }

    /// <summary>Always runs, also after an interruption, a divergence or an exception in a step.</summary>
    public virtual void AfterFit(TrainingState state) { }

    /// <summary>One line for <see cref="Trainer{TBatch}.Describe"/>.</summary>
    public virtual string Describe() => GetType().Name;

    /// <summary>Well-known orders.</summary>
    public static class Orders
    {
        public const int Schedule = -20;
        public const int Guard = -10;
        public const int Log = 0;
        public const int Checkpoint = 10;
        public const int Progress = 20;
    }
}
