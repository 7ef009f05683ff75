using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class functional
    {
        /// <summary>Max pooling; stride defaults to the kernel size.</summary>
        public static Tensor max_pool2d(Tensor input, Size2 kernel_size, Size2? stride = null, Size2? padding = null, Size2? dilation = null, bool ceil_mode = false) =>
            new(wb_max_pool2d(input.Handle, kernel_size.ToArray(), (stride ?? kernel_size).ToArray(), (padding ?? 0).ToArray(), (dilation ?? 1).ToArray(), ceil_mode ? 1 : 0));

        /// <summary>Max pooling that also returns the flat index of each maximum in its input plane.</summary>
        public static (Tensor output, Tensor indices) max_pool2d_with_indices(Tensor input, Size2 kernel_size, Size2? stride = null, Size2? padding = null,
            Size2? dilation = null, bool ceil_mode = false)
        {
            Check(wb_max_pool2d_with_indices(input.Handle, kernel_size.ToArray(), (stride ?? kernel_size).ToArray(), (padding ?? 0).ToArray(), (dilation ?? 1).ToArray(),
                ceil_mode ? 1 : 0, out var v, out var i));
            return (new Tensor(v), new Tensor(i));
        }

        /// <summary>Average pooling; stride defaults to the kernel size.</summary>
        public static Tensor avg_pool2d(Tensor input, Size2 kernel_size, Size2? stride = null, Size2? padding = null, bool ceil_mode = false, bool count_include_pad = true,
            long? divisor_override = null)
        {
            if (divisor_override is <= 0) throw new ArgumentException("divisor must be not zero");
            return new Tensor(wb_avg_pool2d(input.Handle, kernel_size.ToArray(), (stride ?? kernel_size).ToArray(), (padding ?? 0).ToArray(), ceil_mode ? 1 : 0,
                count_include_pad ? 1 : 0, divisor_override ?? 0));
        }

        /// <summary>Average pooling to a fixed output size, whatever the input size.</summary>
        public static Tensor adaptive_avg_pool2d(Tensor input, Size2 output_size) => new(wb_adaptive_avg_pool2d(input.Handle, output_size.ToArray()));

        public static Tensor adaptive_max_pool2d(Tensor input, Size2 output_size)
        {
            Check(wb_adaptive_max_pool2d(input.Handle, output_size.ToArray(), out var v, out var i));
            using (new Tensor(i)) return new Tensor(v);
        }

        /// <summary>(N, C·r², H, W) → (N, C, H·r, W·r).</summary>
        public static Tensor pixel_shuffle(Tensor input, long upscale_factor) => new(wb_pixel_shuffle(input.Handle, upscale_factor));

        /// <summary>(N, C, H·r, W·r) → (N, C·r², H, W).</summary>
        public static Tensor pixel_unshuffle(Tensor input, long downscale_factor) => new(wb_pixel_unshuffle(input.Handle, downscale_factor));

        // ---- resampling --------------------------------------------------------------------

        /// <summary>
        /// Resizes (N, C, H, W) input to <paramref name="size"/> or by <paramref name="scale_factor"/>, as F.interpolate.
        /// Modes: nearest, nearest-exact, bilinear, bicubic, area. With a scale factor the output size is
        /// floor(in·scale) and, unless <paramref name="recompute_scale_factor"/>, the factor itself maps coordinates.
        /// <paramref name="antialias"/> (bilinear/bicubic) low-pass filters when downscaling, like PIL.
        /// </summary>
        public static Tensor interpolate(Tensor input, Size2? size = null, Scale2? scale_factor = null, string mode = "nearest", bool? align_corners = null,
            bool? recompute_scale_factor = null, bool antialias = false)
        {
            if (mode is "nearest" or "area" or "nearest-exact")
            {
                if (align_corners is not null) throw new ArgumentException("align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear");
            }
            else if (mode is not ("bilinear" or "bicubic"))
            {
                throw new ArgumentException($"interpolate: unsupported mode '{mode}' for 4-D input (nearest | nearest-exact | bilinear | bicubic | area)");
            }
            if (input.dim() != 4) throw new ArgumentException($"interpolate supports 4-D (N, C, H, W) input; got {input.dim()}-D");
            if (size is not null && scale_factor is not null) throw new ArgumentException("only one of size or scale_factor should be defined");
            if (size is null && scale_factor is null) throw new ArgumentException("either size or scale_factor should be defined");
            if (recompute_scale_factor == true && size is not null) throw new ArgumentException("recompute_scale_factor is not meaningful with an explicit size.");
            if (antialias && mode is not ("bilinear" or "bicubic")) throw new ArgumentException("Anti-alias option is only supported for bilinear and bicubic modes");

            long[]? outputSize = size?.ToArray();
            double[]? scales = scale_factor?.ToArray();
            if (mode == "area" && outputSize is null) recompute_scale_factor = true;
            if (recompute_scale_factor == true && scales is not null)
            {
                outputSize = new[] { (long)Math.Floor(input.size(2) * scales[0]), (long)Math.Floor(input.size(3) * scales[1]) };
                scales = null;
            }
            var ns = outputSize is null ? -1 : 2;
            var nf = scales is null ? -1 : 2;
            var ac = align_corners == true ? 1 : 0;
            return mode switch
            {
                "nearest" => new Tensor(wb_upsample_nearest2d(input.Handle, outputSize, ns, scales, nf)),
                "nearest-exact" => new Tensor(wb_upsample_nearest_exact2d(input.Handle, outputSize, ns, scales, nf)),
                "area" => adaptive_avg_pool2d(input, new Size2(outputSize![0], outputSize[1])),
                "bilinear" when antialias => new Tensor(wb_upsample_bilinear2d_aa(input.Handle, outputSize, ns, ac, scales, nf)),
                "bilinear" => new Tensor(wb_upsample_bilinear2d(input.Handle, outputSize, ns, ac, scales, nf)),
                "bicubic" when antialias => new Tensor(wb_upsample_bicubic2d_aa(input.Handle, outputSize, ns, ac, scales, nf)),
                _ => new Tensor(wb_upsample_bicubic2d(input.Handle, outputSize, ns, ac, scales, nf)),
            };
        }

        /// <summary>
        /// Samples <paramref name="input"/> (N, C, H, W) at the normalized (x, y) locations of <paramref name="grid"/>
        /// (N, H_out, W_out, 2). mode: bilinear | nearest | bicubic; padding_mode: zeros | border | reflection.
        /// </summary>
        public static Tensor grid_sample(Tensor input, Tensor grid, string mode = "bilinear", string padding_mode = "zeros", bool? align_corners = null)
        {
            long m = mode switch
            {
                "bilinear" => 0,
                "nearest" => 1,
                "bicubic" => 2,
                _ => throw new ArgumentException($"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'"),
            };
            long pm = padding_mode switch
            {
                "zeros" => 0,
                "border" => 1,
                "reflection" => 2,
                _ => throw new ArgumentException($"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', but got: '{padding_mode}'"),
            };
            return new Tensor(wb_grid_sampler(input.Handle, grid.Handle, m, pm, align_corners == true ? 1 : 0));
        }

        /// <summary>The sampling grid of affine transforms <paramref name="theta"/> (N, 2, 3) for an output of <paramref name="size"/> (N, C, H, W).</summary>
        public static Tensor affine_grid(Tensor theta, long[] size, bool? align_corners = null) =>
            new(wb_affine_grid_generator(theta.Handle, size, size.Length, align_corners == true ? 1 : 0));

        /// <summary>
        /// Pads the last dimensions: <paramref name="pad"/> = (left, right[, top, bottom]) as F.pad.
        /// mode: constant (with <paramref name="value"/>), reflect, replicate or circular.
        /// </summary>
        public static Tensor pad(Tensor input, long[] pad, string mode = "constant", double? value = null)
        {
            if (mode is not ("constant" or "reflect" or "replicate" or "circular"))
                throw new ArgumentException($"Unrecognised padding mode {mode}");
            return new Tensor(wb_pad(input.Handle, pad, pad.Length, mode, value.HasValue ? 1 : 0, value ?? 0));
        }

        /// <summary>
        /// Gaussian blur as torchvision's <c>gaussian_blur</c> (reflect padding, normalized kernel, sigma defaulting
        /// to 0.15·k + 0.35), computed as two 1-D passes. Kernel sizes are odd; (kx, ky) = (width, height).
        /// </summary>
        public static Tensor gaussian_blur(Tensor img, long kernel_size, double? sigma = null) =>
            gaussian_blur(img, kernel_size, kernel_size, sigma ?? kernel_size * 0.15 + 0.35, sigma ?? kernel_size * 0.15 + 0.35);

        public static Tensor gaussian_blur(Tensor img, long kx, long ky, double sigma_x, double sigma_y)
        {
            if (kx <= 0 || ky <= 0 || kx % 2 == 0 || ky % 2 == 0) throw new ArgumentException($"kernel size should have odd and positive integers. Got ({kx}, {ky})");
            if (sigma_x <= 0 || sigma_y <= 0) throw new ArgumentException($"sigma should have positive values. Got ({PyRepr.Float(sigma_x)}, {PyRepr.Float(sigma_y)})");
            if (!img.is_floating_point()) throw new ArgumentException($"gaussian_blur expects a floating point image, got {img.dtype.TorchName()}");
            var dim = img.dim();
            if (dim is not (3 or 4)) throw new ArgumentException($"gaussian_blur expects (C, H, W) or (N, C, H, W), got {dim}-D");
            using var scope = torch.NewDisposeScope();
            var x = dim == 3 ? img.unsqueeze(0) : img;
            var channels = x.size(1);
            var horizontal = GaussianKernel1d(kx, sigma_x).to(x.device, x.dtype).view(1, 1, 1, kx).expand(channels, 1, 1, kx);
            var vertical = GaussianKernel1d(ky, sigma_y).to(x.device, x.dtype).view(1, 1, ky, 1).expand(channels, 1, ky, 1);
            var padded = pad(x, new[] { kx / 2, kx / 2, ky / 2, ky / 2 }, "reflect");
            var y = conv2d(conv2d(padded, horizontal, groups: channels), vertical, groups: channels);
            return (dim == 3 ? y.squeeze(0) : y).MoveToOuterDisposeScope();
        }

        /// <summary>exp(-x²/2σ²) on x = -(k-1)/2 .. (k-1)/2, normalized to sum 1, in float32 as torchvision computes it.</summary>
        private static Tensor GaussianKernel1d(long size, double sigma)
        {
            var half = (size - 1) * 0.5;
            using var x = torch.linspace(-half, half, size);
            using var scaled = x.div(sigma);
            using var squared = scaled.pow(2);
            using var exponent = squared.mul(-0.5);
            using var pdf = exponent.exp();
            using var sum = pdf.sum();
            return pdf.div(sum);
        }
    }

    /// <summary>A 2-D scale factor: one number for both dimensions or an (h, w) pair.</summary>
    public readonly struct Scale2
    {
        public Scale2(double both)
        {
            H = W = both;
            IsScalar = true;
        }

        public Scale2(double h, double w)
        {
            H = h;
            W = w;
            IsScalar = false;
        }

        public double H { get; }
        public double W { get; }
        public bool IsScalar { get; }

        public double[] ToArray() => new[] { H, W };

        public static implicit operator Scale2(double both) => new(both);
        public static implicit operator Scale2((double h, double w) pair) => new(pair.h, pair.w);
        public static implicit operator Scale2((int h, int w) pair) => new(pair.h, pair.w);

        /// <summary>As PyTorch's Upsample prints it: "2.0" or "(2.0, 3.0)".</summary>
        public override string ToString() => IsScalar ? PyRepr.Float(H) : $"({PyRepr.Float(H)}, {PyRepr.Float(W)})";
    }
}
