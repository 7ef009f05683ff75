using Workbench.Torch;

namespace Workbench.Training;

/// <summary>What one iteration does with one batch: a supervised step, a GAN's critic or generator step.</summary>
public interface ITrainStep<in TBatch>
{
    /// <summary>Models by name ("generator", "critic"); their state_dicts go into checkpoints under these names.</summary>
    IReadOnlyDictionary<string, nn.Module> Models { get; }

    /// <summary>Optimizers by name; the LR schedule sets their rates each step.</summary>
    IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; }

    /// <summary>Runs the step. Temporaries are freed by the caller's DisposeScope; kept samples are moved out.</summary>
    StepOutput Run(TBatch batch, TrainingState state);

    /// <summary>The learning rate each optimizer should use at this point of the phase (TTUR multiples included).</summary>
    IReadOnlyDictionary<string, double> LearningRates(TrainingState state);

    string Describe();
}
