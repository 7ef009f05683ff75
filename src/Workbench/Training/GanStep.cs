using Workbench.Data;
using Workbench.Losses;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>GAN balance knobs from the seeds: TTUR, k critic steps per generator step, adversarial weight.</summary>
public sealed record GanOptions
{
    /// <summary>Critic iterations for each generator iteration in GAN phases (1 = DeOldify's 1:1 TTUR).</summary>
    public int CriticStepsPerGeneratorStep { get; init; } = 1;

    /// <summary>TTUR: the critic learns this many times faster than the generator.</summary>
    public double CriticLrMultiplier { get; init; } = 4.0;

    /// <summary>Weight of the adversarial term in the generator's loss during GAN phases.</summary>
    public double AdversarialWeight { get; init; } = 0.1;

    public double? ClipGradNorm { get; init; }

    public Device Device { get; init; } = Device.CPU;
}

/// <summary>
/// A generator/critic pair trained by phase kind: PretrainGenerator (its own losses only), PretrainCritic
/// (critic on real vs frozen generator output), Gan (alternating: k critic iterations, then one generator
/// iteration with the adversarial term added). <paramref name="criticView"/> transforms the (fake, real) pair
/// before the critic sees it, e.g. the SR notes' random 0–7 px shift. Either network may be a DistributedDataParallel
/// replica: its gradients are averaged right after the backward that trains it (the critic's after the critic loss, the
/// generator's after the generator loss), and checkpoints hold the wrapped modules.
/// </summary>
public sealed class GanStep(
    nn.Module<Tensor, Tensor> generator,
    nn.Module<Tensor, Tensor> critic,
    CompositeLoss generatorLoss,
    IGanLoss ganLoss,
    optim.Optimizer generatorOptimizer,
    optim.Optimizer criticOptimizer,
    GanOptions? options = null,
    Func<Tensor, Tensor, (Tensor Fake, Tensor Real)>? criticView = null) : ITrainStep<ImageBatch>
{
    private readonly GanOptions options = options ?? new GanOptions();

    public IReadOnlyDictionary<string, nn.Module> Models { get; } = new Dictionary<string, nn.Module> { ["generator"] = generator.Unwrap(), ["critic"] = critic.Unwrap() };

    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; } =
        new Dictionary<string, optim.Optimizer> { ["generator"] = generatorOptimizer, ["critic"] = criticOptimizer };

    public IReadOnlyDictionary<string, double> LearningRates(TrainingState state)
    {
        var lr = state.Phase.LearningRateAt(state.PhaseIteration);
        return new Dictionary<string, double> { ["generator"] = lr, ["critic"] = lr * options.CriticLrMultiplier };
    }

    /// <summary>Which model this iteration trains in a GAN phase: k critic iterations, then one generator iteration.</summary>
    public bool TrainsCritic(int phaseIteration) => phaseIteration % (options.CriticStepsPerGeneratorStep + 1) < options.CriticStepsPerGeneratorStep;

    public StepOutput Run(ImageBatch batch, TrainingState state)
    {
        var input = batch.Input.to(options.Device);
        var target = batch.Target.to(options.Device);
        return state.Phase.Kind switch
        {
            PhaseKind.PretrainGenerator => TrainGenerator(input, target, state, adversarial: false),
            PhaseKind.PretrainCritic => TrainCritic(input, target, state),
            PhaseKind.Gan => TrainsCritic(state.PhaseIteration) ? TrainCritic(input, target, state) : TrainGenerator(input, target, state, adversarial: true),
            _ => throw new InvalidOperationException($"a GAN step needs PretrainGenerator, PretrainCritic or Gan phases, not {state.Phase.Kind} ('{state.Phase.Name}')"),
        };
    }

    private StepOutput TrainCritic(Tensor input, Tensor target, TrainingState state)
    {
        generator.train();
        critic.train();
        Tensor fake;
        using (torch.no_grad()) fake = generator.call(input);
        var (fakeView, realView) = criticView?.Invoke(fake, target) ?? (fake, target);
        var realScores = critic.call(realView);
        var fakeScores = critic.call(fakeView);
        var loss = ganLoss.CriticLoss(realScores, fakeScores);
        criticOptimizer.zero_grad();
        loss.backward();
        critic.ReduceGradients();
        var values = new Dictionary<string, double>
        {
            ["critic"] = loss.item<double>(),
            ["critic_real_score"] = realScores.mean().item<double>(),
            ["critic_fake_score"] = fakeScores.mean().item<double>(),
            ["critic_grad_norm"] = nn.utils.clip_grad_norm_(critic.parameters(), options.ClipGradNorm ?? double.PositiveInfinity).item<double>(),
        };
        criticOptimizer.step();
        return Samples.Keep(values, state, input, fake, target);
    }

    private StepOutput TrainGenerator(Tensor input, Tensor target, TrainingState state, bool adversarial)
    {
        generator.train();
        var output = generator.call(input);
        var (total, values) = generatorLoss.Compute(output, target);
        if (adversarial)
        {
            // The critic judges but does not learn here: no gradients accumulate in its weights.
            critic.requires_grad_(false);
            try
            {
                var (fakeView, realView) = criticView?.Invoke(output, target) ?? (output, target);
                Tensor realScores;
                using (torch.no_grad()) realScores = critic.call(realView);
                var adversarialLoss = ganLoss.GeneratorLoss(realScores, critic.call(fakeView));
                values["adversarial"] = adversarialLoss.item<double>();
                total = total + adversarialLoss * options.AdversarialWeight;
            }
            finally
            {
                critic.requires_grad_(true);
            }
        }
        generatorOptimizer.zero_grad();
        total.backward();
        generator.ReduceGradients();
        values["grad_norm"] = nn.utils.clip_grad_norm_(generator.parameters(), options.ClipGradNorm ?? double.PositiveInfinity).item<double>();
        generatorOptimizer.step();
        values["generator"] = total.item<double>();
        return Samples.Keep(values, state, input, output, target);
    }

    public string Describe() =>
        $"GanStep(generator {generator.GetName()}, critic {critic.GetName()}, G loss = {generatorLoss} + {options.AdversarialWeight:G3}·adversarial, {ganLoss}, " +
        $"{options.CriticStepsPerGeneratorStep} critic step(s) per generator step, critic lr x{options.CriticLrMultiplier:G3})";
}
