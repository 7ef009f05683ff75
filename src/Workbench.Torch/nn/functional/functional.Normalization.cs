using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class functional
    {
        /// <summary>
        /// Batch normalization. In training the batch statistics are used and the running statistics (when given)
        /// are updated in place with <paramref name="momentum"/>; otherwise the running statistics are used.
        /// </summary>
        public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false,
            double momentum = 0.1, double eps = 1e-5)
        {
            if (training)
            {
                var shape = input.shape;
                long perChannel = shape[0];
                for (var i = 2; i < shape.Length; i++) perChannel *= shape[i];
                if (perChannel == 1) throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {PyRepr.Size(shape)}");
            }
            return new Tensor(wb_batch_norm(input.Handle, Opt(weight), Opt(bias), Opt(running_mean), Opt(running_var), training ? 1 : 0, momentum, eps));
        }

        /// <summary>Instance normalization: statistics per sample and channel over the spatial dimensions.</summary>
        public static Tensor instance_norm(Tensor input, Tensor? running_mean = null, Tensor? running_var = null, Tensor? weight = null, Tensor? bias = null,
            bool use_input_stats = true, double momentum = 0.1, double eps = 1e-5)
        {
            if (use_input_stats)
            {
                var shape = input.shape;
                long spatial = 1;
                for (var i = 2; i < shape.Length; i++) spatial *= shape[i];
                if (spatial == 1) throw new ArgumentException($"Expected more than 1 spatial element when training, got input size {PyRepr.Size(shape)}");
            }
            return new Tensor(wb_instance_norm(input.Handle, Opt(weight), Opt(bias), Opt(running_mean), Opt(running_var), use_input_stats ? 1 : 0, momentum, eps));
        }

        /// <summary>Group normalization: channels split into <paramref name="num_groups"/> groups, statistics per sample and group.</summary>
        public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            new(wb_group_norm(input.Handle, num_groups, Opt(weight), Opt(bias), eps));

        /// <summary>Layer normalization over the trailing <paramref name="normalized_shape"/> dimensions.</summary>
        public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
            new(wb_layer_norm(input.Handle, normalized_shape, normalized_shape.Length, Opt(weight), Opt(bias), eps));

        /// <summary>x / max(‖x‖_p, eps) along <paramref name="dim"/>.</summary>
        public static Tensor normalize(Tensor input, double p = 2, long dim = 1, double eps = 1e-12)
        {
            using var norm = input.norm(p, new[] { dim }, keepdim: true);
            using var clamped = norm.clamp_min(eps);
            using var denom = clamped.expand_as(input);
            return input.div(denom);
        }
    }
}
