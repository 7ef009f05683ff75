using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// Two GAN steps over the same generator, critic and optimizers that differ only in the generator's loss: the
/// pixel loss alone while pretraining, pixel (+ perceptual) + adversarial in the GAN phase. Composing two
/// steps keeps each loss a plain <c>CompositeLoss</c> and the log honest (no term reported as 0 while unused).
/// </summary>
public sealed class PhaseLossStep(GanStep pretrain, GanStep gan) : ITrainStep<ImageBatch>
{
    public IReadOnlyDictionary<string, nn.Module> Models => gan.Models;

    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers => gan.Optimizers;

    private GanStep For(TrainingState state) => state.Phase.Kind == PhaseKind.PretrainGenerator ? pretrain : gan;

    public StepOutput Run(ImageBatch batch, TrainingState state) => For(state).Run(batch, state);

    public IReadOnlyDictionary<string, double> LearningRates(TrainingState state) => For(state).LearningRates(state);

    public string Describe() => $"pretrain: {pretrain.Describe()}; gan: {gan.Describe()}";
}
