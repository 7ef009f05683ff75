using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class functional
    {
        public static Tensor relu(Tensor input, bool inplace = false) => inplace ? input.relu_() : input.relu();
        public static Tensor relu6(Tensor input, bool inplace = false) => hardtanh(input, 0, 6, inplace);
        public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01, bool inplace = false) =>
            inplace ? input.leaky_relu_(negative_slope) : input.leaky_relu(negative_slope);

        /// <summary>max(0, x) + weight · min(0, x), with one weight or one per channel (dim 1).</summary>
        public static Tensor prelu(Tensor input, Tensor weight) => new(wb_prelu(input.Handle, weight.Handle));
        public static Tensor sigmoid(Tensor input) => input.sigmoid();
        public static Tensor tanh(Tensor input) => input.tanh();

        public static Tensor silu(Tensor input, bool inplace = false)
        {
            if (!inplace) return input.silu();
            Check(wb_silu_(input.Handle));
            return input;
        }

        /// <summary>GELU; approximate "none" (exact, erf) or "tanh".</summary>
        public static Tensor gelu(Tensor input, string approximate = "none") => new(wb_gelu_approximate(input.Handle, approximate));
        public static Tensor elu(Tensor input, double alpha = 1.0) => new(wb_elu(input.Handle, alpha));

        public static Tensor hardtanh(Tensor input, double min_val = -1, double max_val = 1, bool inplace = false)
        {
            if (!inplace) return new Tensor(wb_hardtanh(input.Handle, min_val, max_val));
            return input.clamp_(min_val, max_val);
        }

        public static Tensor hardswish(Tensor input) => new(wb_hardswish(input.Handle));
        public static Tensor hardsigmoid(Tensor input) => new(wb_hardsigmoid(input.Handle));
        public static Tensor mish(Tensor input) => new(wb_mish(input.Handle));
        public static Tensor softplus(Tensor input, double beta = 1, double threshold = 20) => input.softplus(beta, threshold);

        /// <summary>Softmax along <paramref name="dim"/>, optionally computed in <paramref name="dtype"/>.</summary>
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => new(wb_softmax(input.Handle, dim, dtype.HasValue ? (int)dtype.Value : -1));
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => new(wb_log_softmax(input.Handle, dim, dtype.HasValue ? (int)dtype.Value : -1));

        // ---- dropout -----------------------------------------------------------------------

        private static void CheckDropout(double p)
        {
            if (p < 0 || p > 1) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {PyRepr.Float(p)}");
        }

        /// <summary>Zeroes elements with probability p and scales the rest by 1/(1-p) when <paramref name="training"/>.</summary>
        public static Tensor dropout(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
        {
            CheckDropout(p);
            if (!inplace) return new Tensor(wb_dropout(input.Handle, p, training ? 1 : 0));
            Check(wb_dropout_(input.Handle, p, training ? 1 : 0));
            return input;
        }

        /// <summary>Zeroes whole channels of (N, C, H, W) input with probability p (a 3-D input is read as (N, C, L), as PyTorch 1.13 does).</summary>
        public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true, bool inplace = false)
        {
            CheckDropout(p);
            if (!inplace) return new Tensor(wb_feature_dropout(input.Handle, p, training ? 1 : 0));
            Check(wb_feature_dropout_(input.Handle, p, training ? 1 : 0));
            return input;
        }
    }
}
