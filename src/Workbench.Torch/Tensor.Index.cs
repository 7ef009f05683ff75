using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

// Python-style indexing: x[0], x[.., 1..3], x[mask], x[TensorIndex.Slice(0, null, 2)].
public sealed partial class Tensor
{
    public Tensor this[params TensorIndex[] indices]
    {
        get => index(indices);
        set => index_put_(value, indices);
    }

    public Tensor index(params TensorIndex[] indices)
    {
        var native = TensorIndex.ToNative(indices);
        var result = new Tensor(wb_index(Handle, native, native.Length));
        GC.KeepAlive(indices);
        return result;
    }

    public Tensor index_put_(Tensor value, params TensorIndex[] indices)
    {
        var native = TensorIndex.ToNative(indices);
        Check(wb_index_put_(Handle, native, native.Length, value.Handle));
        GC.KeepAlive(indices);
        return this;
    }

    public Tensor index_put_(Scalar value, params TensorIndex[] indices)
    {
        var native = TensorIndex.ToNative(indices);
        Check(wb_index_put_scalar_(Handle, native, native.Length, value.Value));
        GC.KeepAlive(indices);
        return this;
    }
}
