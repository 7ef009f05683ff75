using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/tensor_shape.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_reshape(TensorHandle a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_view(TensorHandle a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_permute(TensorHandle a, long[] dims, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_transpose(TensorHandle a, long dim0, long dim1);
    [DllImport(Lib)] internal static extern IntPtr wb_squeeze(TensorHandle a);
    [DllImport(Lib)] internal static extern IntPtr wb_squeeze_dim(TensorHandle a, long dim);
    [DllImport(Lib)] internal static extern IntPtr wb_unsqueeze(TensorHandle a, long dim);
    [DllImport(Lib)] internal static extern IntPtr wb_expand(TensorHandle a, long[] shape, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_expand_as(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern IntPtr wb_repeat(TensorHandle a, long[] repeats, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_flatten(TensorHandle a, long start, long end);
    [DllImport(Lib)] internal static extern IntPtr wb_unflatten(TensorHandle a, long dim, long[] sizes, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_narrow(TensorHandle a, long dim, long start, long length);
    [DllImport(Lib)] internal static extern IntPtr wb_select(TensorHandle a, long dim, long index);
    [DllImport(Lib)] internal static extern IntPtr wb_slice(TensorHandle a, long dim, long start, long end, long step);
    [DllImport(Lib)] internal static extern IntPtr wb_index_select(TensorHandle a, long dim, TensorHandle index);
    [DllImport(Lib)] internal static extern IntPtr wb_gather(TensorHandle a, long dim, TensorHandle index);
    [DllImport(Lib)] internal static extern IntPtr wb_scatter(TensorHandle a, long dim, TensorHandle index, TensorHandle source);
    [DllImport(Lib)] internal static extern IntPtr wb_flip(TensorHandle a, long[] dims, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_roll(TensorHandle a, long[] shifts, long[] dims, int n);
    [DllImport(Lib)] internal static extern IntPtr wb_tril(TensorHandle a, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr wb_triu(TensorHandle a, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr wb_cat(IntPtr[] tensors, int n, long dim);
    [DllImport(Lib)] internal static extern IntPtr wb_stack(IntPtr[] tensors, int n, long dim);
    [DllImport(Lib)] internal static extern IntPtr wb_split(TensorHandle a, long[] sizes, int n, long dim, out int count);
    [DllImport(Lib)] internal static extern IntPtr wb_split_size(TensorHandle a, long size, long dim, out int count);
    [DllImport(Lib)] internal static extern IntPtr wb_chunk(TensorHandle a, long chunks, long dim, out int count);
    [DllImport(Lib)] internal static extern IntPtr wb_unbind(TensorHandle a, long dim, out int count);
    [DllImport(Lib)] internal static extern IntPtr wb_index(TensorHandle a, NativeIndex[] indices, int n);
    [DllImport(Lib)] internal static extern int wb_index_put_(TensorHandle a, NativeIndex[] indices, int n, TensorHandle value);
    [DllImport(Lib)] internal static extern int wb_index_put_scalar_(TensorHandle a, NativeIndex[] indices, int n, NativeScalar value);
}

/// <summary>One Python-style index: 0 integer, 1 slice, 2 None (new axis), 3 Ellipsis, 4 tensor.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeIndex
{
    public int Kind;
    public int HasStart;
    public int HasStop;
    public int Pad;
    public long Start;
    public long Stop;
    public long Step;
    public IntPtr Tensor;
}
