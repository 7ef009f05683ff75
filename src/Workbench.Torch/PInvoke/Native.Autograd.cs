using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/autograd.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int wb_requires_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_set_requires_grad(TensorHandle t, int value);
    [DllImport(Lib)] internal static extern int wb_is_leaf(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_retain_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern IntPtr wb_detach(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_detach_(TensorHandle t);
    [DllImport(Lib)] internal static extern IntPtr wb_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_set_grad(TensorHandle t, TensorHandle grad);
    [DllImport(Lib)] internal static extern IntPtr wb_grad_fn_name(TensorHandle t);
    [DllImport(Lib)] internal static extern int wb_backward(TensorHandle t, TensorHandle grad, int retainGraph, int createGraph);
    [DllImport(Lib)] internal static extern IntPtr wb_autograd_grad(IntPtr[] outputs, int nOutputs, IntPtr[] inputs, int nInputs, IntPtr[] gradOutputs, int nGradOutputs, int retainGraph, int createGraph, int allowUnused, out int count);
    [DllImport(Lib)] internal static extern int wb_is_grad_enabled();
    [DllImport(Lib)] internal static extern int wb_set_grad_enabled(int enabled);
}
