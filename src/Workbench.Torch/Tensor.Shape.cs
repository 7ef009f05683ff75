using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Views, layout changes, joining/splitting and gathering (tensor_shape.cpp).
public sealed partial class Tensor
{
    public Tensor reshape(params long[] shape) => new(wb_reshape(Handle, shape, shape.Length));
    public Tensor view(params long[] shape) => new(wb_view(Handle, shape, shape.Length));
    public Tensor view_as(Tensor other) => view(other.shape);
    public Tensor reshape_as(Tensor other) => reshape(other.shape);
    public Tensor permute(params long[] dims) => new(wb_permute(Handle, dims, dims.Length));
    public Tensor transpose(long dim0, long dim1) => new(wb_transpose(Handle, dim0, dim1));

    /// <summary>Transpose of a matrix (x.T).</summary>
    public Tensor T => transpose(0, 1);
    public Tensor t() => transpose(0, 1);
    public Tensor squeeze() => new(wb_squeeze(Handle));
    public Tensor squeeze(long dim) => new(wb_squeeze_dim(Handle, dim));
    public Tensor unsqueeze(long dim) => new(wb_unsqueeze(Handle, dim));
    public Tensor expand(params long[] shape) => new(wb_expand(Handle, shape, shape.Length));
    public Tensor expand_as(Tensor other) => new(wb_expand_as(Handle, other.Handle));
    public Tensor repeat(params long[] repeats) => new(wb_repeat(Handle, repeats, repeats.Length));
    public Tensor flatten(long start_dim = 0, long end_dim = -1) => new(wb_flatten(Handle, start_dim, end_dim));
    public Tensor unflatten(long dim, params long[] sizes) => new(wb_unflatten(Handle, dim, sizes, sizes.Length));
    public Tensor narrow(long dim, long start, long length) => new(wb_narrow(Handle, dim, start, length));
    public Tensor select(long dim, long index) => new(wb_select(Handle, dim, index));

    /// <summary>Elements start, start+step, ... below end along dim (end is clamped, as in Python).</summary>
    public Tensor slice(long dim, long start, long end, long step = 1) => new(wb_slice(Handle, dim, start, end, step));
    public Tensor index_select(long dim, Tensor index) => new(wb_index_select(Handle, dim, index.Handle));
    public Tensor gather(long dim, Tensor index) => new(wb_gather(Handle, dim, index.Handle));
    public Tensor scatter(long dim, Tensor index, Tensor source) => new(wb_scatter(Handle, dim, index.Handle, source.Handle));
    public Tensor flip(params long[] dims) => new(wb_flip(Handle, dims, dims.Length));
    public Tensor roll(long[] shifts, long[] dims) => new(wb_roll(Handle, shifts, dims, dims.Length));
    public Tensor roll(long shift, long dim) => roll(new[] { shift }, new[] { dim });
    public Tensor tril(long diagonal = 0) => new(wb_tril(Handle, diagonal));
    public Tensor triu(long diagonal = 0) => new(wb_triu(Handle, diagonal));

    public Tensor[] split(long split_size, long dim = 0) => Wrap(TakeHandleList(wb_split_size(Handle, split_size, dim, out var n), n));
    public Tensor[] split(long[] split_sizes, long dim = 0) => Wrap(TakeHandleList(wb_split(Handle, split_sizes, split_sizes.Length, dim, out var n), n));
    public Tensor[] chunk(long chunks, long dim = 0) => Wrap(TakeHandleList(wb_chunk(Handle, chunks, dim, out var n), n));
    public Tensor[] unbind(long dim = 0) => Wrap(TakeHandleList(wb_unbind(Handle, dim, out var n), n));

    internal static Tensor[] Wrap(IntPtr[] handles)
    {
        var result = new Tensor[handles.Length];
        for (var i = 0; i < handles.Length; i++) result[i] = new Tensor(handles[i]);
        return result;
    }

    /// <summary>Raw handles for list arguments; the caller keeps the list alive (GC.KeepAlive) across the call.</summary>
    internal static IntPtr[] Handles(IReadOnlyList<Tensor> tensors)
    {
        var handles = new IntPtr[tensors.Count];
        for (var i = 0; i < handles.Length; i++) handles[i] = tensors[i].Handle.DangerousGetHandle();
        return handles;
    }
}
