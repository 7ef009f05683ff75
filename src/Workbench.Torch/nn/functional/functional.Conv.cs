using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// torch.nn.functional: stateless layers, resampling and losses. Alias it as PyTorch code does:
    /// <c>using F = Workbench.Torch.nn.functional;</c>
    /// </summary>
    public static partial class functional
    {
        private static TensorHandle Opt(Tensor? t) => t?.Handle ?? TensorHandle.Null;

        /// <summary>2-D convolution over (N, C, H, W) or (C, H, W); weight is (out, in/groups, kH, kW).</summary>
        public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Padding2? padding = null, Size2? dilation = null, long groups = 1)
        {
            var s = (stride ?? 1).ToArray();
            var d = (dilation ?? 1).ToArray();
            var p = padding ?? 0;
            return p.Mode is null
                ? new Tensor(wb_conv2d(input.Handle, weight.Handle, Opt(bias), s, p.Size.ToArray(), d, groups))
                : new Tensor(wb_conv2d_padding_mode(input.Handle, weight.Handle, Opt(bias), s, p.Mode, d, groups));
        }

        /// <summary>
        /// The unfold + GEMM convolution (PyTorch's <c>torch._C._nn.thnn_conv2d</c>, which the oneDNN path falls back to):
        /// no groups, no dilation, zero padding. Its only buffer is the unfolded input (in·kH·kW × out pixels per image).
        /// </summary>
        public static Tensor thnn_conv2d(Tensor input, Tensor weight, Size2 kernel_size, Tensor? bias = null, Size2? stride = null, Size2? padding = null) =>
            new(wb_thnn_conv2d(input.Handle, weight.Handle, Opt(bias), kernel_size.ToArray(), (stride ?? 1).ToArray(), (padding ?? 0).ToArray()));

        /// <summary>1-D convolution over (N, C, L); weight is (out, in/groups, k). Padding is a number, "same" or "valid".</summary>
        public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
            new(wb_conv1d(input.Handle, weight.Handle, Opt(bias), new[] { stride }, new[] { padding }, new[] { dilation }, groups));

        public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias, long stride, string padding, long dilation = 1, long groups = 1) =>
            new(wb_conv1d_padding_mode(input.Handle, weight.Handle, Opt(bias), new[] { stride }, padding, new[] { dilation }, groups));

        /// <summary>Transposed 2-D convolution; weight is (in, out/groups, kH, kW).</summary>
        public static Tensor conv_transpose2d(Tensor input, Tensor weight, Tensor? bias = null, Size2? stride = null, Size2? padding = null, Size2? output_padding = null,
            long groups = 1, Size2? dilation = null) =>
            new(wb_conv_transpose2d(input.Handle, weight.Handle, Opt(bias), (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), (output_padding ?? 0).ToArray(), groups,
                (dilation ?? 1).ToArray()));

        /// <summary>y = x Wᵀ + b over the last dimension.</summary>
        public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) => new(wb_linear(input.Handle, weight.Handle, Opt(bias)));

        public static Tensor bilinear(Tensor input1, Tensor input2, Tensor weight, Tensor? bias = null) =>
            new(wb_bilinear(input1.Handle, input2.Handle, weight.Handle, Opt(bias)));

        /// <summary>Sliding local blocks (im2col): (N, C, H, W) → (N, C·kH·kW, L).</summary>
        public static Tensor unfold(Tensor input, Size2 kernel_size, Size2? dilation = null, Size2? padding = null, Size2? stride = null) =>
            new(wb_im2col(input.Handle, kernel_size.ToArray(), (dilation ?? 1).ToArray(), (padding ?? 0).ToArray(), (stride ?? 1).ToArray()));

        /// <summary>The inverse of <see cref="unfold"/> (col2im): sums overlapping blocks into (N, C, H, W).</summary>
        public static Tensor fold(Tensor input, Size2 output_size, Size2 kernel_size, Size2? dilation = null, Size2? padding = null, Size2? stride = null) =>
            new(wb_col2im(input.Handle, output_size.ToArray(), kernel_size.ToArray(), (dilation ?? 1).ToArray(), (padding ?? 0).ToArray(), (stride ?? 1).ToArray()));

        /// <summary>Lookup rows of <paramref name="weight"/>; rows at padding_idx get no gradient.</summary>
        public static Tensor embedding(Tensor input, Tensor weight, long? padding_idx = null, bool scale_grad_by_freq = false, bool sparse = false)
        {
            long idx = -1;
            if (padding_idx is long p)
            {
                var n = weight.size(0);
                if (p >= n || p < -n) throw new ArgumentException("Padding_idx must be within num_embeddings");
                idx = p < 0 ? n + p : p;
            }
            return new Tensor(wb_embedding(weight.Handle, input.Handle, idx, scale_grad_by_freq ? 1 : 0, sparse ? 1 : 0));
        }
    }
}
