using Workbench.Torch;

namespace Workbench.Training;

internal static class GradientNorm
{
    /// <summary>
    /// The total L2 norm of the gradients (as torch.nn.utils.clip_grad_norm_ computes it) and, when it
    /// exceeds <paramref name="maxNorm"/>, scales them down to it. Returned for logging either way.
    /// </summary>
    public static double ClipAndMeasure(IEnumerable<Tensor> parameters, double? maxNorm)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var grads = parameters.Select(p => p.grad).OfType<Tensor>().ToList();
        if (grads.Count == 0) return 0;
        var total = torch.stack(grads.Select(g => g.norm(2)).ToList()).norm(2).item<double>();
        if (maxNorm is { } max && total > max)
        {
            var coefficient = max / (total + 1e-6);
            foreach (var g in grads) g.mul_(coefficient);
        }
        return total;
    }
}
