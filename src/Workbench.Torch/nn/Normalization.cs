namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>What BatchNorm and InstanceNorm share: affine parameters and (optional) running statistics.</summary>
    public abstract class NormBase : Module<Tensor, Tensor>
    {
        private protected NormBase(long num_features, double eps, double? momentum, bool affine, bool track_running_stats)
        {
            this.num_features = num_features;
            this.eps = eps;
            this.momentum = momentum;
            this.affine = affine;
            this.track_running_stats = track_running_stats;
            if (affine)
            {
                using (var w = torch.ones(num_features)) register_parameter("weight", Parameter(w));
                using (var b = torch.zeros(num_features)) register_parameter("bias", Parameter(b));
            }
            else
            {
                register_parameter("weight", null);
                register_parameter("bias", null);
            }
            if (track_running_stats)
            {
                register_buffer("running_mean", torch.zeros(num_features));
                register_buffer("running_var", torch.ones(num_features));
                register_buffer("num_batches_tracked", torch.tensor(0L));
            }
            else
            {
                register_buffer("running_mean", null);
                register_buffer("running_var", null);
                register_buffer("num_batches_tracked", null);
            }
        }

        public long num_features { get; }
        public double eps { get; }

        /// <summary>Weight of the newest batch in the running statistics; null for a cumulative average.</summary>
        public double? momentum { get; }
        public bool affine { get; }
        public bool track_running_stats { get; }
        public Tensor? weight => GetTensor("weight");
        public Tensor? bias => GetTensor("bias");
        public Tensor? running_mean => GetTensor("running_mean");
        public Tensor? running_var => GetTensor("running_var");
        public Tensor? num_batches_tracked => GetTensor("num_batches_tracked");

        public void reset_running_stats()
        {
            if (!track_running_stats) return;
            using (torch.no_grad())
            {
                running_mean!.zero_();
                running_var!.fill_(1);
                num_batches_tracked!.zero_();
            }
        }

        public void reset_parameters()
        {
            reset_running_stats();
            if (!affine) return;
            init.ones_(weight!);
            init.zeros_(bias!);
        }

        /// <summary>A state dict without num_batches_tracked (saved before PyTorch 0.4.1) loads with the counter at 0, as in PyTorch.</summary>
        protected override void _load_from_state_dict(Dictionary<string, Tensor> state_dict, string prefix, List<string> missing_keys, List<string> unexpected_keys,
            List<string> error_msgs)
        {
            var key = prefix + "num_batches_tracked";
            if (track_running_stats && !state_dict.ContainsKey(key)) state_dict[key] = torch.tensor(0L);
            base._load_from_state_dict(state_dict, prefix, missing_keys, unexpected_keys, error_msgs);
        }

        public override string extra_repr() =>
            $"{num_features}, eps={PyRepr.Float(eps)}, momentum={(momentum is double m ? PyRepr.Float(m) : "None")}, affine={PyRepr.Bool(affine)}, track_running_stats={PyRepr.Bool(track_running_stats)}";
    }

    /// <summary>Batch normalization, as torch.nn.BatchNorm2d (set BatchNorm1d/2d's expected rank in the subclass).</summary>
    public abstract class BatchNorm : NormBase
    {
        private protected BatchNorm(long num_features, double eps, double? momentum, bool affine, bool track_running_stats)
            : base(num_features, eps, momentum, affine, track_running_stats)
        {
        }

        private protected abstract void CheckInputDim(Tensor input);

        public override Tensor forward(Tensor input)
        {
            CheckInputDim(input);
            var factor = momentum ?? 0.0;
            if (training && track_running_stats && num_batches_tracked is { } count)
            {
                using (torch.no_grad()) count.add_(1);
                factor = momentum ?? 1.0 / count.item<long>();
            }
            // Training always normalizes with batch statistics; eval does too when no running statistics exist.
            var useBatchStats = training || (running_mean is null && running_var is null);
            var useRunning = !training || track_running_stats;
            return functional.batch_norm(input, useRunning ? running_mean : null, useRunning ? running_var : null, weight, bias, useBatchStats, factor, eps);
        }
    }

    /// <summary>Batch normalization over (N, C, H, W) per channel, with running statistics for eval mode.</summary>
    public sealed class BatchNorm2d : BatchNorm
    {
        /// <param name="num_features">Channels C.</param>
        /// <param name="eps">Added to the variance for stability.</param>
        /// <param name="momentum">Weight of the newest batch in the running statistics (null: cumulative average).</param>
        /// <param name="affine">Learn a per-channel scale and shift.</param>
        /// <param name="track_running_stats">Keep running statistics (else eval uses batch statistics too).</param>
        public BatchNorm2d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
            : base(num_features, eps, momentum, affine, track_running_stats)
        {
        }

        private protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() != 4) throw new ArgumentException($"expected 4D input (got {input.dim()}D input)");
        }
    }

    /// <summary>Batch normalization over (N, C) or (N, C, L).</summary>
    public sealed class BatchNorm1d : BatchNorm
    {
        public BatchNorm1d(long num_features, double eps = 1e-5, double? momentum = 0.1, bool affine = true, bool track_running_stats = true)
            : base(num_features, eps, momentum, affine, track_running_stats)
        {
        }

        private protected override void CheckInputDim(Tensor input)
        {
            if (input.dim() is not (2 or 3)) throw new ArgumentException($"expected 2D or 3D input (got {input.dim()}D input)");
        }
    }

    /// <summary>Instance normalization over (N, C, H, W) or (C, H, W): per sample and channel. No affine, no running stats by default.</summary>
    public sealed class InstanceNorm2d : NormBase
    {
        public InstanceNorm2d(long num_features, double eps = 1e-5, double momentum = 0.1, bool affine = false, bool track_running_stats = false)
            : base(num_features, eps, momentum, affine, track_running_stats)
        {
        }

        public override Tensor forward(Tensor input)
        {
            var dim = input.dim();
            if (dim is not (3 or 4)) throw new ArgumentException($"expected 3D or 4D input (got {dim}D input)");
            if (dim == 4) return Normalize(input);
            using var batched = input.unsqueeze(0);
            using var y = Normalize(batched);
            return y.squeeze(0);
        }

        private Tensor Normalize(Tensor input) =>
            functional.instance_norm(input, running_mean, running_var, weight, bias, training || !track_running_stats, momentum ?? 0.1, eps);
    }

    /// <summary>Group normalization, as torch.nn.GroupNorm: statistics per sample over groups of channels.</summary>
    public sealed class GroupNorm : Module<Tensor, Tensor>
    {
        /// <param name="num_groups">Groups the channels are split into.</param>
        /// <param name="num_channels">Channels C (divisible by num_groups).</param>
        public GroupNorm(long num_groups, long num_channels, double eps = 1e-5, bool affine = true)
        {
            if (num_channels % num_groups != 0) throw new ArgumentException("num_channels must be divisible by num_groups");
            this.num_groups = num_groups;
            this.num_channels = num_channels;
            this.eps = eps;
            this.affine = affine;
            if (affine)
            {
                using (var w = torch.ones(num_channels)) register_parameter("weight", Parameter(w));
                using (var b = torch.zeros(num_channels)) register_parameter("bias", Parameter(b));
            }
            else
            {
                register_parameter("weight", null);
                register_parameter("bias", null);
            }
        }

        public long num_groups { get; }
        public long num_channels { get; }
        public double eps { get; }
        public bool affine { get; }
        public Tensor? weight => GetTensor("weight");
        public Tensor? bias => GetTensor("bias");

        public override Tensor forward(Tensor input) => functional.group_norm(input, num_groups, weight, bias, eps);

        public override string extra_repr() => $"{num_groups}, {num_channels}, eps={PyRepr.Float(eps)}, affine={PyRepr.Bool(affine)}";
    }

    /// <summary>Layer normalization over the trailing <c>normalized_shape</c> dimensions, as torch.nn.LayerNorm.</summary>
    public sealed class LayerNorm : Module<Tensor, Tensor>
    {
        public LayerNorm(long[] normalized_shape, double eps = 1e-5, bool elementwise_affine = true)
        {
            this.normalized_shape = normalized_shape;
            this.eps = eps;
            this.elementwise_affine = elementwise_affine;
            if (elementwise_affine)
            {
                using (var w = torch.ones(normalized_shape)) register_parameter("weight", Parameter(w));
                using (var b = torch.zeros(normalized_shape)) register_parameter("bias", Parameter(b));
            }
            else
            {
                register_parameter("weight", null);
                register_parameter("bias", null);
            }
        }

        public LayerNorm(long normalized_shape, double eps = 1e-5, bool elementwise_affine = true) : this(new[] { normalized_shape }, eps, elementwise_affine)
        {
        }

        public long[] normalized_shape { get; }
        public double eps { get; }
        public bool elementwise_affine { get; }
        public Tensor? weight => GetTensor("weight");
        public Tensor? bias => GetTensor("bias");

        public override Tensor forward(Tensor input) => functional.layer_norm(input, normalized_shape, weight, bias, eps);

        public override string extra_repr() => $"{PyRepr.Tuple(normalized_shape)}, eps={PyRepr.Float(eps)}, elementwise_affine={PyRepr.Bool(elementwise_affine)}";
    }
}
