using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/nn_conv.cpp. Optional tensors (bias) pass TensorHandle.Null.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_conv1d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr wb_thnn_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] kernel_size, long[] stride, long[] padding);
    [DllImport(Lib)] internal static extern IntPtr wb_conv2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr wb_conv1d_padding_mode(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, string padding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr wb_conv2d_padding_mode(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, string padding, long[] dilation, long groups);
    [DllImport(Lib)] internal static extern IntPtr wb_conv_transpose2d(TensorHandle input, TensorHandle weight, TensorHandle bias, long[] stride, long[] padding, long[] outputPadding, long groups, long[] dilation);
    [DllImport(Lib)] internal static extern IntPtr wb_linear(TensorHandle input, TensorHandle weight, TensorHandle bias);
    [DllImport(Lib)] internal static extern IntPtr wb_bilinear(TensorHandle input1, TensorHandle input2, TensorHandle weight, TensorHandle bias);
    [DllImport(Lib)] internal static extern IntPtr wb_im2col(TensorHandle input, long[] kernelSize, long[] dilation, long[] padding, long[] stride);
    [DllImport(Lib)] internal static extern IntPtr wb_col2im(TensorHandle input, long[] outputSize, long[] kernelSize, long[] dilation, long[] padding, long[] stride);
}
