namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// SAGAN self-attention (Zhang et al. 2018) as fastai v1 / DeOldify write it: spectral-normalized 1×1 Conv1d
    /// projections query (C/8), key (C/8) and value (C), attention weights softmaxed over the query positions,
    /// output γ·attention + x with γ learned from 0, so the layer starts as the identity and the network learns
    /// how much non-local context to mix in. State-dict keys match DeOldify checkpoints
    /// (<c>gamma</c>, <c>query.weight_orig</c>, <c>query.weight_u</c>, ...).
    /// </summary>
    public sealed class SelfAttention : Module<Tensor, Tensor>
    {
        private readonly Conv1d query;
        private readonly Conv1d key;
        private readonly Conv1d value;

        /// <param name="n_channels">Channels C of the (N, C, H, W) input (at least 8).</param>
        public SelfAttention(long n_channels)
        {
            query = register_module("query", Projection(n_channels, n_channels / 8));
            key = register_module("key", Projection(n_channels, n_channels / 8));
            value = register_module("value", Projection(n_channels, n_channels));
            using var g = torch.zeros(1);
            register_parameter("gamma", Parameter(g));
        }

        /// <summary>fastai's conv1d(ni, no): Conv1d k=1 without bias, kaiming_normal_ weight, spectral norm.</summary>
        private static Conv1d Projection(long ni, long no)
        {
            var conv = new Conv1d(ni, no, 1, bias: false);
            init.kaiming_normal_(conv.weight);
            return utils.spectral_norm(conv);
        }

        public Tensor gamma => GetTensor("gamma")!;

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var size = x.shape;
            var flat = x.view(size[0], size[1], -1);                                        // (N, C, HW)
            var f = query.call(flat);                                                       // (N, C/8, HW)
            var g = key.call(flat);                                                         // (N, C/8, HW)
            var h = value.call(flat);                                                       // (N, C, HW)
            var fT = f.permute(0, 2, 1).contiguous();                                       // (N, HW, C/8)
            var positions = flat.size(2);
            var chunk = torch.is_grad_enabled() ? positions : Math.Max(1, InferenceChunkFloats / positions);
            var attended = new List<Tensor>();
            for (var start = 0L; start < positions; start += chunk)
            {
                var columns = Math.Min(chunk, positions - start);
                using var logits = fT.bmm(g.narrow(2, start, columns));                     // (N, HW, columns)
                using var beta = functional.softmax(logits, dim: 1);                        // each column's softmax is over all HW
                attended.Add(h.bmm(beta));                                                  // (N, C, columns)
            }
            var o = gamma * (attended.Count == 1 ? attended[0] : torch.cat(attended, 2)) + flat; // (N, C, HW)
            return o.view(size).contiguous().MoveToOuterDisposeScope();
        }

        /// <summary>
        /// Attention weights held at once in inference, in floats: the softmax runs over the query positions of each key
        /// position, so the (HW, HW) matrix can be taken a block of columns at a time with the same result. Whole, it
        /// is 96 MB at 70² (DeOldify's self-attention at render_factor 35), twice over with its logits; training keeps it whole.
        /// </summary>
        private const long InferenceChunkFloats = 4L << 20;
    }
}
