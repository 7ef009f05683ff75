namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>What Conv1d, Conv2d and ConvTranspose2d share: hyperparameters, PyTorch's default init and printing.</summary>
    public abstract class ConvNd : Module<Tensor, Tensor>
    {
        private protected ConvNd(long in_channels, long out_channels, long[] kernel_size, long[] stride, long[] padding, string? padding_string, long[] dilation,
            bool transposed, long[] output_padding, long groups, bool bias, string padding_mode)
        {
            if (groups <= 0) throw new ArgumentException("groups must be a positive integer");
            if (in_channels % groups != 0) throw new ArgumentException("in_channels must be divisible by groups");
            if (out_channels % groups != 0) throw new ArgumentException("out_channels must be divisible by groups");
            if (padding_mode is not ("zeros" or "reflect" or "replicate" or "circular"))
                throw new ArgumentException($"padding_mode must be one of ['zeros', 'reflect', 'replicate', 'circular'], but got padding_mode='{padding_mode}'");
            if (padding_string == "same" && stride.Any(s => s != 1)) throw new ArgumentException("padding='same' is not supported for strided convolutions");
            this.in_channels = in_channels;
            this.out_channels = out_channels;
            this.kernel_size = kernel_size;
            this.stride = stride;
            this.padding = padding;
            this.padding_string = padding_string;
            this.dilation = dilation;
            this.transposed = transposed;
            this.output_padding = output_padding;
            this.groups = groups;
            this.padding_mode = padding_mode;

            // F.pad takes the last dimension first: (left, right, top, bottom).
            var n = kernel_size.Length;
            ReversedPaddingRepeatedTwice = new long[2 * n];
            for (var i = 0; i < n; i++)
            {
                long before, after;
                if (padding_string == "same")
                {
                    var total = dilation[i] * (kernel_size[i] - 1);
                    before = total / 2;
                    after = total - before;
                }
                else before = after = padding[i];
                ReversedPaddingRepeatedTwice[2 * (n - 1 - i)] = before;
                ReversedPaddingRepeatedTwice[2 * (n - 1 - i) + 1] = after;
            }

            var weightShape = new long[2 + n];
            weightShape[0] = transposed ? in_channels : out_channels;
            weightShape[1] = (transposed ? out_channels : in_channels) / groups;
            Array.Copy(kernel_size, 0, weightShape, 2, n);
            using (var w = torch.empty(weightShape)) register_parameter("weight", Parameter(w));
            if (bias)
                using (var b = torch.empty(out_channels))
                    register_parameter("bias", Parameter(b));
            else register_parameter("bias", null);
            reset_parameters();
        }

        public long in_channels { get; }
        public long out_channels { get; }
        public long[] kernel_size { get; }
        public long[] stride { get; }

        /// <summary>Explicit padding per dimension (zeros when padding is "same"/"valid").</summary>
        public long[] padding { get; }

        /// <summary>"same" or "valid" when padding was given as a string, else null.</summary>
        public string? padding_string { get; }
        public long[] dilation { get; }
        public bool transposed { get; }
        public long[] output_padding { get; }
        public long groups { get; }
        public string padding_mode { get; }

        /// <summary>(left, right, top, bottom) for F.pad when padding_mode is not "zeros".</summary>
        private protected long[] ReversedPaddingRepeatedTwice { get; }

        public Tensor weight => GetTensor("weight") ?? throw new InvalidOperationException($"{GetName()} has no weight");
        public Tensor? bias => GetTensor("bias");

        /// <summary>PyTorch's default: kaiming_uniform_(a=√5) for the weight, U(±1/√fan_in) for the bias.</summary>
        public void reset_parameters()
        {
            var w = weight;
            init.kaiming_uniform_(w, a: Math.Sqrt(5));
            if (bias is { } b)
            {
                var (fanIn, _) = init.calculate_fan_in_and_fan_out(w);
                if (fanIn != 0)
                {
                    var bound = 1 / Math.Sqrt(fanIn);
                    init.uniform_(b, -bound, bound);
                }
            }
        }

        public override string extra_repr()
        {
            var s = $"{in_channels}, {out_channels}, kernel_size={PyRepr.Tuple(kernel_size)}, stride={PyRepr.Tuple(stride)}";
            if (padding_string is not null) s += $", padding={padding_string}";
            else if (padding.Any(p => p != 0)) s += $", padding={PyRepr.Tuple(padding)}";
            if (dilation.Any(d => d != 1)) s += $", dilation={PyRepr.Tuple(dilation)}";
            if (output_padding.Any(p => p != 0)) s += $", output_padding={PyRepr.Tuple(output_padding)}";
            if (groups != 1) s += $", groups={groups}";
            if (bias is null) s += ", bias=False";
            if (padding_mode != "zeros") s += $", padding_mode={padding_mode}";
            return s;
        }
    }

    /// <summary>2-D convolution over (N, C, H, W), as torch.nn.Conv2d (padding modes zeros/reflect/replicate/circular, "same"/"valid").</summary>
    public sealed class Conv2d : ConvNd
    {
        /// <param name="in_channels">Input channels.</param>
        /// <param name="out_channels">Output channels (filters).</param>
        /// <param name="kernel_size">Kernel size: k or (kH, kW).</param>
        /// <param name="stride">Step between windows (default 1).</param>
        /// <param name="padding">Border added on each side: a size, "same" (output size = input size) or "valid" (none).</param>
        /// <param name="dilation">Spacing between kernel taps (default 1).</param>
        /// <param name="groups">Channel groups convolved separately (in and out channels divisible by it).</param>
        /// <param name="bias">Learn an additive bias per output channel.</param>
        /// <param name="padding_mode">What the border holds: zeros, reflect, replicate or circular.</param>
        public Conv2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Padding2? padding = null, Size2? dilation = null, long groups = 1,
            bool bias = true, string padding_mode = "zeros")
            : base(in_channels, out_channels, kernel_size.ToArray(), (stride ?? 1).ToArray(), (padding ?? 0).Size.ToArray(), (padding ?? 0).Mode,
                (dilation ?? 1).ToArray(), false, new long[2], groups, bias, padding_mode)
        {
        }

        public override Tensor forward(Tensor input)
        {
            if (padding_mode == "zeros")
                return padding_string is null && UnfoldIsSmaller(input)
                    ? functional.thnn_conv2d(input, weight, new Size2(kernel_size[0], kernel_size[1]), bias, new Size2(stride[0], stride[1]), new Size2(padding[0], padding[1]))
                    : functional.conv2d(input, weight, bias, new Size2(stride[0], stride[1]),
                        padding_string is null ? new Size2(padding[0], padding[1]) : padding_string, new Size2(dilation[0], dilation[1]), groups);
            using var padded = functional.pad(input, ReversedPaddingRepeatedTwice, padding_mode);
            return UnfoldIsSmaller(padded)
                ? functional.thnn_conv2d(padded, weight, new Size2(kernel_size[0], kernel_size[1]), bias, new Size2(stride[0], stride[1]))
                : functional.conv2d(padded, weight, bias, new Size2(stride[0], stride[1]), 0, new Size2(dilation[0], dilation[1]), groups);
        }

        /// <summary>
        /// Inference on a CPU map smaller than the weight (DeOldify stable's middle: 2048→4096 channels 3×3 at 18², a 302 MB
        /// weight): oneDNN would copy the whole weight into its blocked layout on every call (+302 MB, and half the time on
        /// an AVX2 EPYC), while unfold + GEMM needs only the unfolded input (in·kH·kW × H·W). Same sums in another order:
        /// float32 rounding apart, the same result; training keeps PyTorch's path.
        /// </summary>
        private bool UnfoldIsSmaller(Tensor input) =>
            !torch.is_grad_enabled() && groups == 1 && dilation.All(d => d == 1) && input.dim() == 4 && input.device.Type == DeviceType.CPU
            && input.dtype == ScalarType.Float32 && kernel_size[0] * kernel_size[1] * (input.numel() / input.size(0)) < weight.numel();
    }

    /// <summary>1-D convolution over (N, C, L), as torch.nn.Conv1d (fastai's self-attention projections use it).</summary>
    public sealed class Conv1d : ConvNd
    {
        public Conv1d(long in_channels, long out_channels, long kernel_size, long stride = 1, long padding = 0, long dilation = 1, long groups = 1, bool bias = true,
            string padding_mode = "zeros")
            : base(in_channels, out_channels, new[] { kernel_size }, new[] { stride }, new[] { padding }, null, new[] { dilation }, false, new long[1], groups, bias,
                padding_mode)
        {
        }

        /// <summary>With padding "same" or "valid".</summary>
        public Conv1d(long in_channels, long out_channels, long kernel_size, long stride, string padding, long dilation = 1, long groups = 1, bool bias = true,
            string padding_mode = "zeros")
            : base(in_channels, out_channels, new[] { kernel_size }, new[] { stride }, new long[1], new Padding2(padding).Mode, new[] { dilation }, false, new long[1],
                groups, bias, padding_mode)
        {
        }

        public override Tensor forward(Tensor input)
        {
            if (padding_mode == "zeros")
                return padding_string is null
                    ? functional.conv1d(input, weight, bias, stride[0], padding[0], dilation[0], groups)
                    : functional.conv1d(input, weight, bias, stride[0], padding_string, dilation[0], groups);
            using var padded = functional.pad(input, ReversedPaddingRepeatedTwice, padding_mode);
            return functional.conv1d(padded, weight, bias, stride[0], 0, dilation[0], groups);
        }
    }

    /// <summary>Transposed 2-D convolution (learned upsampling), as torch.nn.ConvTranspose2d; weight is (in, out/groups, kH, kW).</summary>
    public sealed class ConvTranspose2d : ConvNd
    {
        /// <param name="output_padding">Extra size added to one side of the output (resolves the size ambiguity of strided transposed convs).</param>
        public ConvTranspose2d(long in_channels, long out_channels, Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? output_padding = null,
            long groups = 1, bool bias = true, Size2? dilation = null, string padding_mode = "zeros")
            : base(in_channels, out_channels, kernel_size.ToArray(), (stride ?? 1).ToArray(), (padding ?? 0).ToArray(), null, (dilation ?? 1).ToArray(), true,
                (output_padding ?? 0).ToArray(), groups, bias, CheckZeros(padding_mode))
        {
        }

        private static string CheckZeros(string padding_mode) =>
            padding_mode == "zeros" ? padding_mode : throw new ArgumentException("Only \"zeros\" padding mode is supported for ConvTranspose2d");

        public override Tensor forward(Tensor input) =>
            functional.conv_transpose2d(input, weight, bias, new Size2(stride[0], stride[1]), new Size2(padding[0], padding[1]),
                new Size2(output_padding[0], output_padding[1]), groups, new Size2(dilation[0], dilation[1]));
    }
}
