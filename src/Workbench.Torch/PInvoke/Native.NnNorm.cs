using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/nn_norm.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_batch_norm(TensorHandle input, TensorHandle weight, TensorHandle bias, TensorHandle runningMean, TensorHandle runningVar, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr wb_instance_norm(TensorHandle input, TensorHandle weight, TensorHandle bias, TensorHandle runningMean, TensorHandle runningVar, int useInputStats, double momentum, double eps);
    [DllImport(Lib)] internal static extern IntPtr wb_group_norm(TensorHandle input, long numGroups, TensorHandle weight, TensorHandle bias, double eps);
    [DllImport(Lib)] internal static extern IntPtr wb_layer_norm(TensorHandle input, long[] normalizedShape, int n, TensorHandle weight, TensorHandle bias, double eps);
}
