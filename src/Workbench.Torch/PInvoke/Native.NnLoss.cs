using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/nn_loss.cpp. reduction: 0 none, 1 mean, 2 sum.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [DllImport(Lib)] internal static extern IntPtr wb_l1_loss(TensorHandle input, TensorHandle target, long reduction);
    [DllImport(Lib)] internal static extern IntPtr wb_smooth_l1_loss(TensorHandle input, TensorHandle target, long reduction, double beta);
    [DllImport(Lib)] internal static extern IntPtr wb_huber_loss(TensorHandle input, TensorHandle target, long reduction, double delta);
    [DllImport(Lib)] internal static extern IntPtr wb_binary_cross_entropy(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction);
    [DllImport(Lib)] internal static extern IntPtr wb_binary_cross_entropy_with_logits(TensorHandle input, TensorHandle target, TensorHandle weight, TensorHandle posWeight, long reduction);
    [DllImport(Lib)] internal static extern IntPtr wb_cross_entropy_loss(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Lib)] internal static extern IntPtr wb_nll_loss_nd(TensorHandle input, TensorHandle target, TensorHandle weight, long reduction, long ignoreIndex);
    [DllImport(Lib)] internal static extern IntPtr wb_kl_div(TensorHandle input, TensorHandle target, long reduction, int logTarget);
    [DllImport(Lib)] internal static extern IntPtr wb_softmax(TensorHandle input, long dim, int dtype);
    [DllImport(Lib)] internal static extern IntPtr wb_log_softmax(TensorHandle input, long dim, int dtype);
    [DllImport(Lib)] internal static extern IntPtr wb_dropout(TensorHandle input, double p, int train);
    [DllImport(Lib)] internal static extern int wb_dropout_(TensorHandle input, double p, int train);
    [DllImport(Lib)] internal static extern IntPtr wb_feature_dropout(TensorHandle input, double p, int train);
    [DllImport(Lib)] internal static extern int wb_feature_dropout_(TensorHandle input, double p, int train);
    [DllImport(Lib)] internal static extern IntPtr wb_embedding(TensorHandle weight, TensorHandle indices, long paddingIdx, int scaleGradByFreq, int sparse);
    [DllImport(Lib)] internal static extern IntPtr wb_prelu(TensorHandle input, TensorHandle weight);
    [DllImport(Lib)] internal static extern IntPtr wb_elu(TensorHandle input, double alpha);
    [DllImport(Lib)] internal static extern IntPtr wb_hardtanh(TensorHandle input, double minVal, double maxVal);
    [DllImport(Lib)] internal static extern IntPtr wb_hardswish(TensorHandle input);
    [DllImport(Lib)] internal static extern IntPtr wb_hardsigmoid(TensorHandle input);
    [DllImport(Lib)] internal static extern IntPtr wb_mish(TensorHandle input);
    [DllImport(Lib)] internal static extern IntPtr wb_gelu_approximate(TensorHandle input, string approximate);
    [DllImport(Lib)] internal static extern int wb_silu_(TensorHandle input);
}
