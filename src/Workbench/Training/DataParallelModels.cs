using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// How train steps treat a network wrapped in <see cref="nn.parallel.DistributedDataParallel{TIn, TOut}"/>: its gradients
/// are averaged over the ranks right after each backward that produced them, and checkpoints hold the wrapped module,
/// so their keys are the same with or without DDP. On a plain network both are no-ops.
/// </summary>
internal static class DataParallelModels
{
    public static nn.Module Unwrap(this nn.Module<Tensor, Tensor> model) =>
        model is nn.parallel.DistributedDataParallel<Tensor, Tensor> ddp ? ddp.module : model;

    public static void ReduceGradients(this nn.Module<Tensor, Tensor> model) =>
        (model as nn.parallel.DistributedDataParallel<Tensor, Tensor>)?.reduce_gradients();
}
