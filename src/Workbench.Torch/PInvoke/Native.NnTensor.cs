using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/nn_tensor.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_mv(TensorHandle a, TensorHandle v);
    [DllImport(Lib)] internal static extern IntPtr wb_diag(TensorHandle a, long diagonal);
    [DllImport(Lib)] internal static extern IntPtr wb_repeat_interleave(TensorHandle a, long repeats, long dim);
    [DllImport(Lib)] internal static extern IntPtr wb_pinverse(TensorHandle a, double rcond);
    [DllImport(Lib)] internal static extern IntPtr wb_clamp_min_tensor(TensorHandle a, double min);
    [DllImport(Lib)] internal static extern int wb_set_data(TensorHandle t, TensorHandle newData);
    [DllImport(Lib)] internal static extern int wb_linalg_qr(TensorHandle a, string mode, out IntPtr q, out IntPtr r);
    [DllImport(Lib)] internal static extern IntPtr wb_broadcast_tensors(IntPtr[] tensors, int n, out int count);
}
