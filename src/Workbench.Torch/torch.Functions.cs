using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Free functions in the torch namespace (torch.cat, torch.where, torch.einsum, ...).
public static partial class torch
{
    public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var h = Tensor.Handles(tensors);
        var result = new Tensor(wb_cat(h, h.Length, dim));
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0)
    {
        var h = Tensor.Handles(tensors);
        var result = new Tensor(wb_stack(h, h.Length, dim));
        GC.KeepAlive(tensors);
        return result;
    }

    public static Tensor einsum(string equation, params Tensor[] operands)
    {
        var h = Tensor.Handles(operands);
        var result = new Tensor(wb_einsum(equation, h, h.Length));
        GC.KeepAlive(operands);
        return result;
    }

    public static Tensor where(Tensor condition, Tensor input, Tensor other) => input.where(condition, other);
    public static Tensor matmul(Tensor a, Tensor b) => a.matmul(b);
    public static Tensor mm(Tensor a, Tensor b) => a.mm(b);
    public static Tensor bmm(Tensor a, Tensor b) => a.bmm(b);
    public static Tensor addmm(Tensor input, Tensor mat1, Tensor mat2, Scalar? beta = null, Scalar? alpha = null) => new(wb_addmm(input.Handle, mat1.Handle, mat2.Handle, (beta ?? 1).Value, (alpha ?? 1).Value));
    public static Tensor clamp(Tensor input, Scalar? min = null, Scalar? max = null) => input.clamp(min, max);
    public static Tensor maximum(Tensor a, Tensor b) => a.maximum(b);
    public static Tensor minimum(Tensor a, Tensor b) => a.minimum(b);
    public static Tensor abs(Tensor a) => a.abs();
    public static Tensor exp(Tensor a) => a.exp();
    public static Tensor log(Tensor a) => a.log();
    public static Tensor sqrt(Tensor a) => a.sqrt();
    public static Tensor sigmoid(Tensor a) => a.sigmoid();
    public static Tensor tanh(Tensor a) => a.tanh();
    public static Tensor pow(Tensor a, Scalar exponent) => a.pow(exponent);
    public static Tensor pow(Scalar a, Tensor exponent) => new(wb_rpow_scalar(a.Value, exponent.Handle));
    public static Tensor sum(Tensor a) => a.sum();
    public static Tensor mean(Tensor a) => a.mean();
    public static Tensor flatten(Tensor a, long start_dim = 0, long end_dim = -1) => a.flatten(start_dim, end_dim);
    public static Tensor lerp(Tensor start, Tensor end, Scalar weight) => start.lerp(end, weight);
    public static bool allclose(Tensor a, Tensor b, double rtol = 1e-5, double atol = 1e-8) => a.allclose(b, rtol, atol);
    public static bool equal(Tensor a, Tensor b) => a.equal(b);
    public static Tensor[] split(Tensor a, long split_size, long dim = 0) => a.split(split_size, dim);
    public static Tensor[] chunk(Tensor a, long chunks, long dim = 0) => a.chunk(chunks, dim);

    public static class autograd
    {
        /// <summary>
        /// Gradients of <paramref name="outputs"/> with respect to <paramref name="inputs"/>, as torch.autograd.grad.
        /// With create_graph the result is differentiable (gradient penalties). Unused inputs give null when allowed.
        /// </summary>
        public static Tensor?[] grad(IReadOnlyList<Tensor> outputs, IReadOnlyList<Tensor> inputs, IReadOnlyList<Tensor?>? grad_outputs = null,
            bool? retain_graph = null, bool create_graph = false, bool allow_unused = false)
        {
            var o = Tensor.Handles(outputs);
            var i = Tensor.Handles(inputs);
            var g = grad_outputs is null ? Array.Empty<IntPtr>() : grad_outputs.Select(t => t?.Handle.DangerousGetHandle() ?? IntPtr.Zero).ToArray();
            var list = wb_autograd_grad(o, o.Length, i, i.Length, g, g.Length, retain_graph.HasValue ? (retain_graph.Value ? 1 : 0) : -1, create_graph ? 1 : 0, allow_unused ? 1 : 0, out var count);
            GC.KeepAlive(outputs);
            GC.KeepAlive(inputs);
            GC.KeepAlive(grad_outputs);
            var handles = TakeHandleList(list, count);
            return handles.Select(h => h == IntPtr.Zero ? null : new Tensor(h)).ToArray();
        }
    }
}
