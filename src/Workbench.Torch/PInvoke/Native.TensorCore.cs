using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/tensor_core.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern void wb_tensor_free(IntPtr t);
    [DllImport(Lib)] internal static extern int wb_tensor_dim(TensorHandle t);
    [DllImport(Lib)] internal static extern unsafe void wb_tensor_sizes(TensorHandle t, long* output);
    [DllImport(Lib)] internal static extern unsafe void wb_tensor_strides(TensorHandle t, long* output);
    [DllImport(Lib)] internal static extern long wb_tensor_numel(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_tensor_dtype(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_tensor_device_type(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_tensor_device_index(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_tensor_is_contiguous(TensorHandle t);
    [DllImport(Lib)] internal static extern long wb_tensor_element_size(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_tensor_storage_equal(TensorHandle a, TensorHandle b);

    [DllImport(Lib)] internal static extern IntPtr wb_empty(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_zeros(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_ones(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_full(long[] shape, int ndim, NativeScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_rand(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_randn(long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_randint(long low, long high, long[] shape, int ndim, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_randperm(long n, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_arange(NativeScalar start, NativeScalar end, NativeScalar step, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_linspace(double start, double end, long steps, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_eye(long n, long m, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_empty_like(TensorHandle t, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_zeros_like(TensorHandle t, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_ones_like(TensorHandle t, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_full_like(TensorHandle t, NativeScalar value, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_rand_like(TensorHandle t, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_randn_like(TensorHandle t, int dtype, int deviceType, int deviceIndex, int requiresGrad);
    [DllImport(Lib)] internal static extern unsafe IntPtr wb_from_data(void* data, long[] shape, int ndim, int dtype);
    [DllImport(Lib)] internal static extern unsafe int wb_copy_to_host(TensorHandle t, void* destination, long nbytes);
    [DllImport(Lib)] internal static extern IntPtr wb_data_ptr(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_item(TensorHandle t, out NativeScalar value);

    [DllImport(Lib)] internal static extern IntPtr wb_to(TensorHandle t, int dtype, int deviceType, int deviceIndex, int nonBlocking, int copy);
    [DllImport(Lib)] internal static extern IntPtr wb_clone(TensorHandle t);
    [DllImport(Lib)] internal static extern IntPtr wb_contiguous(TensorHandle t);
    [DllImport(Lib)] internal static extern IntPtr wb_alias(TensorHandle t);
}

/// <summary>A scalar tagged with its kind, so integer tensors stay integer across the ABI.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeScalar
{
    public long I;
    public double D;
    public int Kind; // 0 floating, 1 integral, 2 bool
}
