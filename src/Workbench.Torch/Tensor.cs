using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

/// <summary>
/// A libtorch tensor. Native memory is released deterministically by <see cref="Dispose"/>,
/// by the innermost <see cref="DisposeScope"/> it was created in, or (late) by the finalizer.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle handle;
    private DisposeScope? scope;

    /// <summary>Takes ownership of a handle returned by the shim (throws the pending error if it is null).</summary>
    internal Tensor(IntPtr handle)
    {
        this.handle = new TensorHandle(Check(handle));
        scope = DisposeScope.Current;
        scope?.Add(this);
    }

    /// <summary>The native handle; throws once the tensor was disposed.</summary>
    internal TensorHandle Handle => !handle.IsClosed ? handle : throw new ObjectDisposedException(nameof(Tensor), "this tensor was disposed (by Dispose() or by its DisposeScope)");

    public bool IsDisposed => handle.IsClosed;

    public void Dispose()
    {
        scope?.Remove(this);
        scope = null;
        handle.Dispose();
    }

    internal void DisposeFromScope()
    {
        scope = null;
        handle.Dispose();
    }

    /// <summary>Moves this tensor to the scope enclosing its current one (no scope if there is none).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        if (scope is null) return this;
        scope.Remove(this);
        scope = scope.Outer;
        scope?.Add(this);
        return this;
    }

    /// <summary>Takes this tensor out of every scope: the caller owns it now.</summary>
    public Tensor DetachFromDisposeScope()
    {
        scope?.Remove(this);
        scope = null;
        return this;
    }

    // ---- properties ------------------------------------------------------------------

    public long[] shape
    {
        get
        {
            var h = Handle;
            var sizes = new long[wb_tensor_dim(h)];
            unsafe
            {
                fixed (long* p = sizes) wb_tensor_sizes(h, p);
            }
            return sizes;
        }
    }

    public long[] stride()
    {
        var h = Handle;
        var strides = new long[wb_tensor_dim(h)];
        unsafe
        {
            fixed (long* p = strides) wb_tensor_strides(h, p);
        }
        return strides;
    }

    /// <summary>Size of one dimension; negative dims count from the end.</summary>
    public long size(int dim)
    {
        var s = shape;
        return s[dim < 0 ? dim + s.Length : dim];
    }

    public int dim() => wb_tensor_dim(Handle);
    public int ndim => dim();
    public long numel() => wb_tensor_numel(Handle);
    public ScalarType dtype => (ScalarType)wb_tensor_dtype(Handle);
    public Device device => new((DeviceType)wb_tensor_device_type(Handle), wb_tensor_device_index(Handle));
    public bool is_contiguous() => wb_tensor_is_contiguous(Handle) != 0;
    public bool is_floating_point() => dtype.IsFloatingPoint();
    public long element_size() => wb_tensor_element_size(Handle);

    /// <summary>True when both tensors view the same storage.</summary>
    public bool shares_storage_with(Tensor other) => wb_tensor_storage_equal(Handle, other.Handle) != 0;

    // ---- conversion ------------------------------------------------------------------

    public Tensor to(ScalarType dtype, bool copy = false) => new(wb_to(Handle, (int)dtype, -1, -1, 0, copy ? 1 : 0));
    public Tensor to(Device device, bool non_blocking = false, bool copy = false) => new(wb_to(Handle, -1, (int)device.Type, device.Index, non_blocking ? 1 : 0, copy ? 1 : 0));
    public Tensor to(Device device, ScalarType dtype, bool non_blocking = false) => new(wb_to(Handle, (int)dtype, (int)device.Type, device.Index, non_blocking ? 1 : 0, 0));
    public Tensor to(Tensor other) => to(other.device, other.dtype);
    public Tensor cpu() => to(Device.CPU);
    public Tensor cuda(int index = 0) => to(new Device(DeviceType.CUDA, index));
    public Tensor @float() => to(ScalarType.Float32);
    public Tensor @double() => to(ScalarType.Float64);
    public Tensor @long() => to(ScalarType.Int64);
    public Tensor @int() => to(ScalarType.Int32);
    public Tensor @bool() => to(ScalarType.Bool);
    public Tensor half() => to(ScalarType.Float16);
    public Tensor bfloat16() => to(ScalarType.BFloat16);
    public Tensor @byte() => to(ScalarType.UInt8);
    public Tensor type_as(Tensor other) => to(other.dtype);
    public Tensor clone() => new(wb_clone(Handle));
    public Tensor contiguous() => new(wb_contiguous(Handle));

    /// <summary>A second handle to the same tensor (same storage, same autograd identity).</summary>
    public Tensor alias() => new(wb_alias(Handle));

    // ---- data out --------------------------------------------------------------------

    /// <summary>Copies all elements (row-major) into a new array; T must match the dtype.</summary>
    public T[] data<T>() where T : unmanaged
    {
        CheckElementType<T>("data");
        var result = new T[numel()];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>
    /// Copies all elements (row-major, from any device and layout) into <paramref name="destination"/>, which must hold
    /// exactly <see cref="numel"/> elements of the tensor's dtype: the way to hand pixels or other raw data to native
    /// code (or unmanaged memory) without an intermediate array. <see cref="torch.from_span"/> is the way back.
    /// </summary>
    public void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        CheckElementType<T>("CopyTo");
        var count = numel();
        if (destination.Length != count) throw new ArgumentException($"CopyTo: the destination holds {destination.Length} elements but the tensor has {count}", nameof(destination));
        unsafe
        {
            fixed (T* p = destination) Check(wb_copy_to_host(Handle, p, count * sizeof(T)));
        }
    }

    /// <summary>
    /// The address of the first element, as PyTorch's <c>data_ptr()</c>, for handing a tensor's memory to native code
    /// (an image codec writing pixels in place) without a copy. Only for contiguous CPU tensors (others throw). The
    /// address is valid while this tensor lives: keep it alive (<c>using</c>, <see cref="GC.KeepAlive"/>) until the
    /// native code is done, and do not write into a tensor that autograd has saved for backward.
    /// </summary>
    public IntPtr data_ptr() => Check(wb_data_ptr(Handle));

    private void CheckElementType<T>(string method) where T : unmanaged
    {
        var expected = ScalarTypeExtensions.Of<T>();
        if (expected != dtype) throw new InvalidOperationException($"{method}<{typeof(T).Name}>() on a tensor of dtype {dtype.TorchName()}; convert with .to({expected.TorchName()}) first");
    }

    /// <summary>The value of a one-element tensor, converted to T.</summary>
    public T item<T>() where T : unmanaged
    {
        Check(wb_item(Handle, out var v));
        var s = Scalar.FromNative(v);
        object boxed = typeof(T) == typeof(float) ? (float)s.ToDouble()
            : typeof(T) == typeof(double) ? s.ToDouble()
            : typeof(T) == typeof(long) ? s.ToInt64()
            : typeof(T) == typeof(int) ? (int)s.ToInt64()
            : typeof(T) == typeof(bool) ? s.ToInt64() != 0 || s.ToDouble() != 0
            : typeof(T) == typeof(byte) ? (byte)s.ToInt64()
            : throw new NotSupportedException($"item<{typeof(T).Name}>() is not supported");
        return (T)boxed;
    }

    public Scalar item()
    {
        Check(wb_item(Handle, out var v));
        return Scalar.FromNative(v);
    }
}
