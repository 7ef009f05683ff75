using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Tensor ops added for the nn layer (nn_tensor.cpp): spectral norm's power iteration, module.to(), init.orthogonal_.
public sealed partial class Tensor
{
    /// <summary>Matrix-vector product.</summary>
    public Tensor mv(Tensor vec) => new(wb_mv(Handle, vec.Handle));

    /// <summary>The diagonal of a matrix as a vector, or a diagonal matrix from a vector.</summary>
    public Tensor diag(long diagonal = 0) => new(wb_diag(Handle, diagonal));

    public Tensor repeat_interleave(long repeats, long dim) => new(wb_repeat_interleave(Handle, repeats, dim));

    public Tensor clamp_min(double min) => new(wb_clamp_min_tensor(Handle, min));

    /// <summary>Moore-Penrose pseudo-inverse of a matrix.</summary>
    public Tensor pinverse(double rcond = 1e-15) => new(wb_pinverse(Handle, rcond));

    /// <summary>
    /// Replaces this tensor's data (storage, dtype, device) with <paramref name="new_data"/>'s, keeping this
    /// object and its autograd identity: PyTorch's <c>param.data = new_data</c>.
    /// </summary>
    public void set_data(Tensor new_data) => Check(wb_set_data(Handle, new_data.Handle));
}

public static partial class torch
{
    public static Tensor[] broadcast_tensors(params Tensor[] tensors)
    {
        var h = Tensor.Handles(tensors);
        var list = wb_broadcast_tensors(h, h.Length, out var count);
        GC.KeepAlive(tensors);
        return Tensor.Wrap(TakeHandleList(list, count));
    }

    public static Tensor mv(Tensor a, Tensor v) => a.mv(v);

    public static class linalg
    {
        /// <summary>QR decomposition; mode "reduced" (default), "complete" or "r".</summary>
        public static (Tensor Q, Tensor R) qr(Tensor A, string mode = "reduced")
        {
            Check(wb_linalg_qr(A.Handle, mode, out var q, out var r));
            return (new Tensor(q), new Tensor(r));
        }
    }
}
