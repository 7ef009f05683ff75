using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class functional
    {
        /// <summary>"none" → 0, "mean" → 1, "sum" → 2 (at::Reduction).</summary>
        private static long Reduction(string reduction) => reduction switch
        {
            "none" => 0,
            "mean" => 1,
            "sum" => 2,
            _ => throw new ArgumentException($"{reduction} is not a valid value for reduction"),
        };

        /// <summary>Mean squared error; input and target broadcast.</summary>
        public static Tensor mse_loss(Tensor input, Tensor target, string reduction = "mean")
        {
            var r = Reduction(reduction);
            var (a, b) = Broadcast(input, target);
            using (a) using (b) return new Tensor(wb_mse_loss(a.Handle, b.Handle, r));
        }

        /// <summary>Mean absolute error; input and target broadcast.</summary>
        public static Tensor l1_loss(Tensor input, Tensor target, string reduction = "mean")
        {
            var r = Reduction(reduction);
            var (a, b) = Broadcast(input, target);
            using (a) using (b) return new Tensor(wb_l1_loss(a.Handle, b.Handle, r));
        }

        /// <summary>Squared error below <paramref name="beta"/> (scaled by 1/beta), absolute error above; beta = 0 is L1.</summary>
        public static Tensor smooth_l1_loss(Tensor input, Tensor target, string reduction = "mean", double beta = 1.0)
        {
            var r = Reduction(reduction);
            var (a, b) = Broadcast(input, target);
            using (a) using (b) return beta == 0.0 ? new Tensor(wb_l1_loss(a.Handle, b.Handle, r)) : new Tensor(wb_smooth_l1_loss(a.Handle, b.Handle, r, beta));
        }

        public static Tensor huber_loss(Tensor input, Tensor target, string reduction = "mean", double delta = 1.0)
        {
            var r = Reduction(reduction);
            var (a, b) = Broadcast(input, target);
            using (a) using (b) return new Tensor(wb_huber_loss(a.Handle, b.Handle, r, delta));
        }

        private static (Tensor, Tensor) Broadcast(Tensor input, Tensor target)
        {
            var both = torch.broadcast_tensors(input, target);
            return (both[0], both[1]);
        }

        /// <summary>BCE on probabilities; target has the input's shape, weight broadcasts to it.</summary>
        public static Tensor binary_cross_entropy(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean")
        {
            var r = Reduction(reduction);
            if (!input.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"Using a target size ({PyRepr.Size(target.shape)}) that is different to the input size ({PyRepr.Size(input.shape)}) is deprecated. Please ensure they have the same size.");
            if (weight is null) return new Tensor(wb_binary_cross_entropy(input.Handle, target.Handle, Opt(null), r));
            using var expanded = weight.expand(target.shape);
            return new Tensor(wb_binary_cross_entropy(input.Handle, target.Handle, expanded.Handle, r));
        }

        /// <summary>BCE on logits (numerically stable); <paramref name="pos_weight"/> weighs positive examples per class.</summary>
        public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null)
        {
            var r = Reduction(reduction);
            if (!input.shape.SequenceEqual(target.shape))
                throw new ArgumentException($"Target size ({PyRepr.Size(target.shape)}) must be the same as input size ({PyRepr.Size(input.shape)})");
            return new Tensor(wb_binary_cross_entropy_with_logits(input.Handle, target.Handle, Opt(weight), Opt(pos_weight), r));
        }

        /// <summary>
        /// Cross entropy of logits (N, C, ...) against class indices (N, ...) or class probabilities (N, C, ...);
        /// targets equal to <paramref name="ignore_index"/> are skipped; <paramref name="label_smoothing"/> mixes in a uniform target.
        /// </summary>
        public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean", double label_smoothing = 0.0) =>
            new(wb_cross_entropy_loss(input.Handle, target.Handle, Opt(weight), Reduction(reduction), ignore_index, label_smoothing));

        /// <summary>Negative log likelihood of log-probabilities (N, C, ...) at class indices (N, ...).</summary>
        public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, string reduction = "mean") =>
            new(wb_nll_loss_nd(input.Handle, target.Handle, Opt(weight), Reduction(reduction), ignore_index));

        /// <summary>KL divergence with log-probability input; reduction "batchmean" divides the sum by the batch size.</summary>
        public static Tensor kl_div(Tensor input, Tensor target, string reduction = "mean", bool log_target = false)
        {
            if (reduction != "batchmean") return new Tensor(wb_kl_div(input.Handle, target.Handle, Reduction(reduction), log_target ? 1 : 0));
            using var sum = new Tensor(wb_kl_div(input.Handle, target.Handle, 2, log_target ? 1 : 0));
            return input.dim() == 0 ? sum.alias() : sum.div(input.size(0));
        }
    }
}
