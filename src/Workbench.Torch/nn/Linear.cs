namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>y = x Wᵀ + b over the last dimension, as torch.nn.Linear; W is (out_features, in_features).</summary>
    public sealed class Linear : Module<Tensor, Tensor>
    {
        /// <param name="in_features">Size of each input sample.</param>
        /// <param name="out_features">Size of each output sample.</param>
        /// <param name="bias">Learn an additive bias.</param>
        public Linear(long in_features, long out_features, bool bias = true)
        {
            this.in_features = in_features;
            this.out_features = out_features;
            using (var w = torch.empty(out_features, in_features)) register_parameter("weight", Parameter(w));
            if (bias)
                using (var b = torch.empty(out_features))
                    register_parameter("bias", Parameter(b));
            else register_parameter("bias", null);
            reset_parameters();
        }

        public long in_features { get; }
        public long out_features { get; }
        public Tensor weight => GetTensor("weight") ?? throw new InvalidOperationException("Linear has no weight");
        public Tensor? bias => GetTensor("bias");

        /// <summary>PyTorch's default: kaiming_uniform_(a=√5) for the weight, U(±1/√in_features) for the bias.</summary>
        public void reset_parameters()
        {
            init.kaiming_uniform_(weight, a: Math.Sqrt(5));
            if (bias is { } b)
            {
                var (fanIn, _) = init.calculate_fan_in_and_fan_out(weight);
                var bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
                init.uniform_(b, -bound, bound);
            }
        }

        public override Tensor forward(Tensor input) => functional.linear(input, weight, bias);

        public override string extra_repr() => $"in_features={in_features}, out_features={out_features}, bias={PyRepr.Bool(bias is not null)}";
    }

    /// <summary>Returns its input (a placeholder that keeps state_dict keys stable when a layer is switched off).</summary>
    public sealed class Identity : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => input;
    }

    /// <summary>Flattens dimensions start_dim..end_dim (default: all but the batch).</summary>
    public sealed class Flatten : Module<Tensor, Tensor>
    {
        public Flatten(long start_dim = 1, long end_dim = -1)
        {
            this.start_dim = start_dim;
            this.end_dim = end_dim;
        }

        public long start_dim { get; }
        public long end_dim { get; }

        public override Tensor forward(Tensor input) => input.flatten(start_dim, end_dim);

        public override string extra_repr() => $"start_dim={start_dim}, end_dim={end_dim}";
    }

    /// <summary>Expands one dimension into <c>unflattened_size</c>.</summary>
    public sealed class Unflatten : Module<Tensor, Tensor>
    {
        public Unflatten(long dim, long[] unflattened_size)
        {
            this.dim = dim;
            this.unflattened_size = unflattened_size;
        }

        public long dim { get; }
        public long[] unflattened_size { get; }

        public override Tensor forward(Tensor input) => input.unflatten(dim, unflattened_size);

        public override string extra_repr() => $"dim={dim}, unflattened_size={PyRepr.Tuple(unflattened_size)}";
    }

    /// <summary>A lookup table of <c>num_embeddings</c> vectors, as torch.nn.Embedding (N(0, 1) init, padding row zeroed).</summary>
    public sealed class Embedding : Module<Tensor, Tensor>
    {
        /// <param name="num_embeddings">Size of the table.</param>
        /// <param name="embedding_dim">Size of each vector.</param>
        /// <param name="padding_idx">A row that stays zero and gets no gradient (negative counts from the end).</param>
        public Embedding(long num_embeddings, long embedding_dim, long? padding_idx = null, bool scale_grad_by_freq = false)
        {
            if (padding_idx is long p)
            {
                if (p >= num_embeddings || p < -num_embeddings) throw new ArgumentException("Padding_idx must be within num_embeddings");
                padding_idx = p < 0 ? num_embeddings + p : p;
            }
            this.num_embeddings = num_embeddings;
            this.embedding_dim = embedding_dim;
            this.padding_idx = padding_idx;
            this.scale_grad_by_freq = scale_grad_by_freq;
            using (var w = torch.empty(num_embeddings, embedding_dim)) register_parameter("weight", Parameter(w));
            reset_parameters();
        }

        public long num_embeddings { get; }
        public long embedding_dim { get; }
        public long? padding_idx { get; }
        public bool scale_grad_by_freq { get; }
        public Tensor weight => GetTensor("weight") ?? throw new InvalidOperationException("Embedding has no weight");

        public void reset_parameters()
        {
            init.normal_(weight);
            if (padding_idx is long p)
                using (torch.no_grad())
                using (var row = weight[p])
                    row.fill_(0);
        }

        public override Tensor forward(Tensor input) => functional.embedding(input, weight, padding_idx, scale_grad_by_freq);

        public override string extra_repr()
        {
            var s = $"{num_embeddings}, {embedding_dim}";
            if (padding_idx is not null) s += $", padding_idx={padding_idx}";
            if (scale_grad_by_freq) s += ", scale_grad_by_freq=True";
            return s;
        }
    }
}
