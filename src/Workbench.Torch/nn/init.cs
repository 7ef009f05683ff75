namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// torch.nn.init: in-place initialisers run without recording gradients. They draw from the same libtorch
    /// generator with the same calls as PyTorch, so <c>torch.manual_seed(s)</c> gives the same weights.
    /// </summary>
    public static class init
    {
        /// <summary>The recommended gain for a nonlinearity (PyTorch's table: relu √2, tanh 5/3, leaky_relu √(2/(1+a²)), selu 3/4).</summary>
        public static double calculate_gain(string nonlinearity, double? param = null) => nonlinearity switch
        {
            "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d" or "conv_transpose3d" or "sigmoid" => 1,
            "tanh" => 5.0 / 3,
            "relu" => Math.Sqrt(2.0),
            "leaky_relu" => Math.Sqrt(2.0 / (1 + Math.Pow(param ?? 0.01, 2))),
            "selu" => 3.0 / 4,
            _ => throw new ArgumentException($"Unsupported nonlinearity {nonlinearity}"),
        };

        /// <summary>fan_in = size(1)·receptive field, fan_out = size(0)·receptive field.</summary>
        public static (long fan_in, long fan_out) calculate_fan_in_and_fan_out(Tensor tensor)
        {
            var shape = tensor.shape;
            if (shape.Length < 2) throw new ArgumentException("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
            long receptive = 1;
            for (var i = 2; i < shape.Length; i++) receptive *= shape[i];
            return (shape[1] * receptive, shape[0] * receptive);
        }

        private static long CorrectFan(Tensor tensor, string mode)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            return mode.ToLowerInvariant() switch
            {
                "fan_in" => fanIn,
                "fan_out" => fanOut,
                _ => throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out"),
            };
        }

        public static Tensor uniform_(Tensor tensor, double a = 0, double b = 1)
        {
            using (torch.no_grad()) return tensor.uniform_(a, b);
        }

        public static Tensor normal_(Tensor tensor, double mean = 0, double std = 1)
        {
            using (torch.no_grad()) return tensor.normal_(mean, std);
        }

        public static Tensor constant_(Tensor tensor, double val)
        {
            using (torch.no_grad()) return tensor.fill_(val);
        }

        public static Tensor ones_(Tensor tensor) => constant_(tensor, 1);

        public static Tensor zeros_(Tensor tensor)
        {
            using (torch.no_grad()) return tensor.zero_();
        }

        /// <summary>U(-b, b) with b = gain·√(6/(fan_in+fan_out)) (Glorot).</summary>
        public static Tensor xavier_uniform_(Tensor tensor, double gain = 1)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
            var a = Math.Sqrt(3.0) * std;
            return uniform_(tensor, -a, a);
        }

        /// <summary>N(0, std²) with std = gain·√(2/(fan_in+fan_out)) (Glorot).</summary>
        public static Tensor xavier_normal_(Tensor tensor, double gain = 1)
        {
            var (fanIn, fanOut) = calculate_fan_in_and_fan_out(tensor);
            var std = gain * Math.Sqrt(2.0 / (fanIn + fanOut));
            return normal_(tensor, 0, std);
        }

        /// <summary>U(-b, b) with b = √3·gain/√fan (He); <paramref name="a"/> is the leaky_relu slope.</summary>
        public static Tensor kaiming_uniform_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
        {
            if (tensor.shape.Contains(0)) return tensor;
            var fan = CorrectFan(tensor, mode);
            var gain = calculate_gain(nonlinearity, a);
            var std = gain / Math.Sqrt(fan);
            var bound = Math.Sqrt(3.0) * std;
            return uniform_(tensor, -bound, bound);
        }

        /// <summary>N(0, std²) with std = gain/√fan (He); <paramref name="a"/> is the leaky_relu slope.</summary>
        public static Tensor kaiming_normal_(Tensor tensor, double a = 0, string mode = "fan_in", string nonlinearity = "leaky_relu")
        {
            if (tensor.shape.Contains(0)) return tensor;
            var fan = CorrectFan(tensor, mode);
            var gain = calculate_gain(nonlinearity, a);
            var std = gain / Math.Sqrt(fan);
            return normal_(tensor, 0, std);
        }

        /// <summary>A (semi-)orthogonal matrix from the QR decomposition of a Gaussian one, scaled by <paramref name="gain"/>.</summary>
        public static Tensor orthogonal_(Tensor tensor, double gain = 1)
        {
            if (tensor.dim() < 2) throw new ArgumentException("Only tensors with 2 or more dimensions are supported");
            if (tensor.numel() == 0) return tensor;
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var rows = tensor.size(0);
            var cols = tensor.numel() / rows;
            var flattened = torch.empty(new[] { rows, cols }, tensor.dtype, tensor.device).normal_(0, 1);
            if (rows < cols) flattened = flattened.t();
            var (q, r) = torch.linalg.qr(flattened);
            // Fixing the signs of R's diagonal makes the distribution uniform (Mezzadri 2007).
            q = q.mul(r.diag(0).sign());
            if (rows < cols) q = q.t();
            tensor.view_as(q).copy_(q);
            tensor.mul_(gain);
            return tensor;
        }

        /// <summary>
        /// ICNR (Aitken et al. 2017) for a convolution whose output goes through PixelShuffle(<paramref name="upscale_factor"/>):
        /// the r² output channels that shuffle into one channel share one kernel, so conv + shuffle starts as
        /// conv + nearest-neighbour upsampling, free of checkerboard artifacts. <paramref name="init"/> initialises
        /// the shared kernels (default kaiming_normal_).
        /// </summary>
        public static Tensor icnr_(Tensor weight, long upscale_factor = 2, Func<Tensor, Tensor>? init = null)
        {
            var shape = weight.shape;
            var r2 = upscale_factor * upscale_factor;
            if (shape.Length < 2 || shape[0] % r2 != 0)
                throw new ArgumentException($"icnr_: the weight's output channels ({(shape.Length > 0 ? shape[0] : 0)}) must be a multiple of upscale_factor² = {r2}");
            using var scope = torch.NewDisposeScope();
            var subShape = (long[])shape.Clone();
            subShape[0] /= r2;
            var sub = torch.empty(subShape, weight.dtype, weight.device);
            (init ?? (t => kaiming_normal_(t)))(sub);
            using (torch.no_grad()) weight.copy_(sub.repeat_interleave(r2, 0));
            return weight;
        }
    }
}
