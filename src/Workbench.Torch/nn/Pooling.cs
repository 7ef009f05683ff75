namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>Max pooling over (N, C, H, W); stride defaults to the kernel size.</summary>
    public sealed class MaxPool2d : Module<Tensor, Tensor>
    {
        public MaxPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceil_mode = false)
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? 0;
            this.dilation = dilation ?? 1;
            this.ceil_mode = ceil_mode;
        }

        public Size2 kernel_size { get; }
        public Size2 stride { get; }
        public Size2 padding { get; }
        public Size2 dilation { get; }
        public bool ceil_mode { get; }

        public override Tensor forward(Tensor input) => functional.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode);

        public override string extra_repr() => $"kernel_size={kernel_size}, stride={stride}, padding={padding}, dilation={dilation}, ceil_mode={PyRepr.Bool(ceil_mode)}";
    }

    /// <summary>Average pooling over (N, C, H, W); stride defaults to the kernel size.</summary>
    public sealed class AvgPool2d : Module<Tensor, Tensor>
    {
        public AvgPool2d(Size2 kernel_size, Size2? stride = null, Size2? padding = null, bool ceil_mode = false, bool count_include_pad = true, long? divisor_override = null)
        {
            this.kernel_size = kernel_size;
            this.stride = stride ?? kernel_size;
            this.padding = padding ?? 0;
            this.ceil_mode = ceil_mode;
            this.count_include_pad = count_include_pad;
            this.divisor_override = divisor_override;
        }

        public Size2 kernel_size { get; }
        public Size2 stride { get; }
        public Size2 padding { get; }
        public bool ceil_mode { get; }
        public bool count_include_pad { get; }
        public long? divisor_override { get; }

        public override Tensor forward(Tensor input) => functional.avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override);

        public override string extra_repr() => $"kernel_size={kernel_size}, stride={stride}, padding={padding}";
    }

    /// <summary>Average pooling to a fixed output size (1 for global pooling).</summary>
    public sealed class AdaptiveAvgPool2d : Module<Tensor, Tensor>
    {
        public AdaptiveAvgPool2d(Size2 output_size) => this.output_size = output_size;

        public Size2 output_size { get; }

        public override Tensor forward(Tensor input) => functional.adaptive_avg_pool2d(input, output_size);

        public override string extra_repr() => $"output_size={output_size}";
    }

    public sealed class AdaptiveMaxPool2d : Module<Tensor, Tensor>
    {
        public AdaptiveMaxPool2d(Size2 output_size) => this.output_size = output_size;

        public Size2 output_size { get; }

        public override Tensor forward(Tensor input) => functional.adaptive_max_pool2d(input, output_size);

        public override string extra_repr() => $"output_size={output_size}";
    }

    /// <summary>(N, C·r², H, W) → (N, C, H·r, W·r): sub-pixel convolution's rearrangement (ESPCN).</summary>
    public sealed class PixelShuffle : Module<Tensor, Tensor>
    {
        public PixelShuffle(long upscale_factor) => this.upscale_factor = upscale_factor;

        public long upscale_factor { get; }

        public override Tensor forward(Tensor input) => functional.pixel_shuffle(input, upscale_factor);

        public override string extra_repr() => $"upscale_factor={upscale_factor}";
    }

    /// <summary>(N, C, H·r, W·r) → (N, C·r², H, W).</summary>
    public sealed class PixelUnshuffle : Module<Tensor, Tensor>
    {
        public PixelUnshuffle(long downscale_factor) => this.downscale_factor = downscale_factor;

        public long downscale_factor { get; }

        public override Tensor forward(Tensor input) => functional.pixel_unshuffle(input, downscale_factor);

        public override string extra_repr() => $"downscale_factor={downscale_factor}";
    }

    /// <summary>
    /// Resizes by <c>scale_factor</c> or to <c>size</c> with F.interpolate (nearest, nearest-exact, bilinear, bicubic, area).
    /// <c>antialias</c> (not in PyTorch 1.13's Upsample, passed to interpolate) low-pass filters when downscaling.
    /// </summary>
    public sealed class Upsample : Module<Tensor, Tensor>
    {
        public Upsample(Size2? size = null, Scale2? scale_factor = null, string mode = "nearest", bool? align_corners = null, bool? recompute_scale_factor = null,
            bool antialias = false)
        {
            this.size = size;
            this.scale_factor = scale_factor;
            this.mode = mode;
            this.align_corners = align_corners;
            this.recompute_scale_factor = recompute_scale_factor;
            this.antialias = antialias;
        }

        public Size2? size { get; }
        public Scale2? scale_factor { get; }
        public string mode { get; }
        public bool? align_corners { get; }
        public bool? recompute_scale_factor { get; }
        public bool antialias { get; }

        public override Tensor forward(Tensor input) => functional.interpolate(input, size, scale_factor, mode, align_corners, recompute_scale_factor, antialias);

        public override string extra_repr() =>
            (scale_factor is { } s ? $"scale_factor={s}" : $"size={(size is { } z ? z.ToString() : "None")}") + $", mode={mode}";
    }
}
