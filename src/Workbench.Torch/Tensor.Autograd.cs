using System.Runtime.InteropServices;

using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Autograd on a tensor (autograd.cpp).
public sealed partial class Tensor
{
    public bool requires_grad
    {
        get => wb_requires_grad(Handle) != 0;
        set => Check(wb_set_requires_grad(Handle, value ? 1 : 0));
    }

    public Tensor requires_grad_(bool requires_grad = true)
    {
        this.requires_grad = requires_grad;
        return this;
    }

    public bool is_leaf => wb_is_leaf(Handle) != 0;

    /// <summary>The accumulated gradient, or null before the first backward (PyTorch's None).
    /// Each read returns a new handle to the same gradient tensor.</summary>
    public Tensor? grad
    {
        get
        {
            var g = CheckNullable(wb_grad(Handle));
            return g == IntPtr.Zero ? null : new Tensor(g);
        }
        set => Check(wb_set_grad(Handle, value?.Handle ?? TensorHandle.Null));
    }

    /// <summary>Name of the function that produced this tensor, e.g. "AddBackward0"; null for leaves.</summary>
    public string? grad_fn
    {
        get
        {
            var p = wb_grad_fn_name(Handle);
            return p == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(p);
        }
    }

    public Tensor retain_grad() { Check(wb_retain_grad(Handle)); return this; }
    public Tensor detach() => new(wb_detach(Handle));
    public Tensor detach_() { Check(wb_detach_(Handle)); return this; }

    /// <summary>retain_graph defaults to create_graph, as in PyTorch.</summary>
    public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false) =>
        Check(wb_backward(Handle, gradient?.Handle ?? TensorHandle.Null, retain_graph.HasValue ? (retain_graph.Value ? 1 : 0) : -1, create_graph ? 1 : 0));
}
