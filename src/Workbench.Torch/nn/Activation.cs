namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>max(0, x).</summary>
    public sealed class ReLU : Module<Tensor, Tensor>
    {
        public ReLU(bool inplace = false) => this.inplace = inplace;

        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.relu(input, inplace);

        public override string extra_repr() => inplace ? "inplace=True" : "";
    }

    /// <summary>min(max(0, x), 6).</summary>
    public sealed class ReLU6 : Module<Tensor, Tensor>
    {
        public ReLU6(bool inplace = false) => this.inplace = inplace;

        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.relu6(input, inplace);

        public override string extra_repr() => inplace ? "inplace=True" : "";
    }

    /// <summary>max(0, x) + negative_slope · min(0, x). The seeds' SR networks use slope 0.1 (ESPCN) and 0.2 (ESRGAN).</summary>
    public sealed class LeakyReLU : Module<Tensor, Tensor>
    {
        public LeakyReLU(double negative_slope = 0.01, bool inplace = false)
        {
            this.negative_slope = negative_slope;
            this.inplace = inplace;
        }

        public double negative_slope { get; }
        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.leaky_relu(input, negative_slope, inplace);

        public override string extra_repr() => $"negative_slope={PyRepr.Float(negative_slope)}{(inplace ? ", inplace=True" : "")}";
    }

    /// <summary>Leaky ReLU with a learned slope: one shared (num_parameters = 1) or one per channel.</summary>
    public sealed class PReLU : Module<Tensor, Tensor>
    {
        public PReLU(long num_parameters = 1, double init = 0.25)
        {
            this.num_parameters = num_parameters;
            this.init = init;
            using var w = torch.full(new[] { num_parameters }, init, ScalarType.Float32);
            register_parameter("weight", Parameter(w));
        }

        public long num_parameters { get; }
        public double init { get; }
        public Tensor weight => GetTensor("weight") ?? throw new InvalidOperationException("PReLU has no weight");

        public override Tensor forward(Tensor input) => functional.prelu(input, weight);

        public override string extra_repr() => $"num_parameters={num_parameters}";
    }

    public sealed class Sigmoid : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => input.sigmoid();
    }

    public sealed class Tanh : Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor input) => input.tanh();
    }

    /// <summary>x · sigmoid(x) (swish).</summary>
    public sealed class SiLU : Module<Tensor, Tensor>
    {
        public SiLU(bool inplace = false) => this.inplace = inplace;

        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.silu(input, inplace);

        public override string extra_repr() => inplace ? "inplace=True" : "";
    }

    public sealed class GELU : Module<Tensor, Tensor>
    {
        public GELU(string approximate = "none") => this.approximate = approximate;

        public string approximate { get; }

        public override Tensor forward(Tensor input) => functional.gelu(input, approximate);

        public override string extra_repr() => $"approximate={PyRepr.Str(approximate)}";
    }

    public sealed class ELU : Module<Tensor, Tensor>
    {
        public ELU(double alpha = 1.0) => this.alpha = alpha;

        public double alpha { get; }

        public override Tensor forward(Tensor input) => functional.elu(input, alpha);

        public override string extra_repr() => $"alpha={PyRepr.Float(alpha)}";
    }

    /// <summary>Softmax along <c>dim</c>.</summary>
    public sealed class Softmax : Module<Tensor, Tensor>
    {
        public Softmax(long dim) => this.dim = dim;

        public long dim { get; }

        public override Tensor forward(Tensor input) => functional.softmax(input, dim);

        public override string extra_repr() => $"dim={dim}";
    }

    public sealed class LogSoftmax : Module<Tensor, Tensor>
    {
        public LogSoftmax(long dim) => this.dim = dim;

        public long dim { get; }

        public override Tensor forward(Tensor input) => functional.log_softmax(input, dim);

        public override string extra_repr() => $"dim={dim}";
    }

    /// <summary>Zeroes elements with probability p in training (scaling the rest by 1/(1-p)); the identity in eval.</summary>
    public sealed class Dropout : Module<Tensor, Tensor>
    {
        public Dropout(double p = 0.5, bool inplace = false)
        {
            if (p < 0 || p > 1) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {PyRepr.Float(p)}");
            this.p = p;
            this.inplace = inplace;
        }

        public double p { get; }
        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.dropout(input, p, training, inplace);

        public override string extra_repr() => $"p={PyRepr.Float(p)}, inplace={PyRepr.Bool(inplace)}";
    }

    /// <summary>Zeroes whole channels of (N, C, H, W) with probability p in training (the seeds' critic uses it against overfitting).</summary>
    public sealed class Dropout2d : Module<Tensor, Tensor>
    {
        public Dropout2d(double p = 0.5, bool inplace = false)
        {
            if (p < 0 || p > 1) throw new ArgumentException($"dropout probability has to be between 0 and 1, but got {PyRepr.Float(p)}");
            this.p = p;
            this.inplace = inplace;
        }

        public double p { get; }
        public bool inplace { get; }

        public override Tensor forward(Tensor input) => functional.dropout2d(input, p, training, inplace);

        public override string extra_repr() => $"p={PyRepr.Float(p)}, inplace={PyRepr.Bool(inplace)}";
    }
}
