using Workbench.Data;
using Workbench.Losses;
using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// One model, one loss, one optimizer (fastai's Learner step): forward, loss, backward, optional
/// gradient clipping, optimizer step. Optionally under CPU bfloat16 autocast.
/// A <see cref="nn.parallel.DistributedDataParallel{TIn, TOut}"/> model has its gradients averaged over the ranks
/// right after backward (before clipping, so every rank clips the same gradient); checkpoints hold the wrapped
/// module, so their keys are the same with or without DDP.
/// </summary>
public sealed class SupervisedStep(nn.Module<Tensor, Tensor> model, CompositeLoss loss, optim.Optimizer optimizer, SupervisedStepOptions? options = null)
    : ITrainStep<ImageBatch>
{
    private readonly SupervisedStepOptions options = options ?? new SupervisedStepOptions();

    public IReadOnlyDictionary<string, nn.Module> Models { get; } = new Dictionary<string, nn.Module>
    {
        ["model"] = model.Unwrap(),
    };

    public IReadOnlyDictionary<string, optim.Optimizer> Optimizers { get; } = new Dictionary<string, optim.Optimizer> { ["model"] = optimizer };

    public IReadOnlyDictionary<string, double> LearningRates(TrainingState state) =>
        new Dictionary<string, double> { ["model"] = state.Phase.LearningRateAt(state.PhaseIteration) };

    public StepOutput Run(ImageBatch batch, TrainingState state)
    {
        model.train();
        var input = batch.Input.to(options.Device);
        var target = batch.Target.to(options.Device);
        Tensor output;
        using (torch.autocast("cpu", ScalarType.BFloat16, enabled: options.BFloat16))
            output = model.call(input);
        var (total, values) = loss.Compute(output.to(ScalarType.Float32), target); // losses in float32, as PyTorch's autocast advice has it
        optimizer.zero_grad();
        total.backward();
        model.ReduceGradients();
        values["grad_norm"] = nn.utils.clip_grad_norm_(model.parameters(), options.ClipGradNorm ?? double.PositiveInfinity).item<double>();
        optimizer.step();
        if (loss.Terms.Count > 1) values["loss"] = total.item<double>();
        return Samples.Keep(values, state, input, output, target);
    }

    public string Describe() => $"SupervisedStep({model.GetName()}, loss = {loss}, {optimizer.GetType().Name}{(options.ClipGradNorm is { } c ? $", clip {c}" : "")})";
}

/// <param name="ClipGradNorm">Clip the total gradient norm to this value; null: no clipping (the norm is still logged).</param>
public sealed record SupervisedStepOptions(double? ClipGradNorm = null)
{
    /// <summary>Device the batch is moved to (the model must already be there).</summary>
    public Device Device { get; init; } = Device.CPU;

    /// <summary>Run the forward pass under CPU bfloat16 autocast (convolutions and matmuls in bf16; the loss in float32).</summary>
    public bool BFloat16 { get; init; }
}

internal static class Samples
{
    /// <summary>Builds the step's output, keeping detached copies of the images when a callback asked for them.</summary>
    public static StepOutput Keep(IReadOnlyDictionary<string, double> losses, TrainingState state, Tensor input, Tensor output, Tensor target) =>
        state.KeepSamples
            ? new StepOutput(losses)
            {
                Input = input.detach().DetachFromDisposeScope(),
                Output = output.detach().DetachFromDisposeScope(),
                Target = target.detach().DetachFromDisposeScope(),
            }
            : new StepOutput(losses);
}
