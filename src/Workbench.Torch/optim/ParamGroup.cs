namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// One parameter group: its tensors and its hyperparameters, PyTorch's param_groups[i] dict.
    /// Options not given here take the optimizer's defaults when the group is added. Schedulers read
    /// and write options (lr, betas, momentum, initial_lr, ...) through the typed properties or the indexer.
    /// </summary>
    public sealed class ParamGroup
    {
        private readonly List<Tensor> parameters;
        private readonly Dictionary<string, object?> options = new();

        /// <param name="parameters">tensors to optimize, in a fixed order (state_dict indexes follow it)</param>
        /// <param name="lr">learning rate</param>
        /// <param name="weight_decay">L2 penalty (Adam, SGD) or decoupled decay factor (AdamW)</param>
        /// <param name="momentum">SGD momentum factor</param>
        /// <param name="dampening">SGD dampening of the momentum term</param>
        /// <param name="nesterov">SGD Nesterov momentum</param>
        /// <param name="betas">Adam's running-average coefficients</param>
        /// <param name="eps">Adam's denominator term</param>
        /// <param name="amsgrad">Adam's AMSGrad variant</param>
        /// <param name="maximize">ascend instead of descend</param>
        public ParamGroup(IEnumerable<Tensor> parameters, double? lr = null, double? weight_decay = null,
            double? momentum = null, double? dampening = null, bool? nesterov = null,
            (double, double)? betas = null, double? eps = null, bool? amsgrad = null, bool? maximize = null)
        {
            this.parameters = parameters.ToList();
            if (lr.HasValue) options["lr"] = lr.Value;
            if (weight_decay.HasValue) options["weight_decay"] = weight_decay.Value;
            if (momentum.HasValue) options["momentum"] = momentum.Value;
            if (dampening.HasValue) options["dampening"] = dampening.Value;
            if (nesterov.HasValue) options["nesterov"] = nesterov.Value;
            if (betas.HasValue) options["betas"] = betas.Value;
            if (eps.HasValue) options["eps"] = eps.Value;
            if (amsgrad.HasValue) options["amsgrad"] = amsgrad.Value;
            if (maximize.HasValue) options["maximize"] = maximize.Value;
        }

        /// <summary>The group's tensors (PyTorch's group['params']).</summary>
        public IReadOnlyList<Tensor> @params => parameters;

        /// <summary>Any option by PyTorch's key; a missing key throws KeyNotFoundException naming the keys it has.</summary>
        public object? this[string key]
        {
            get => options.TryGetValue(key, out var v) ? v : throw new KeyNotFoundException($"param group has no option '{key}'; it has: {string.Join(", ", options.Keys)}");
            set => options[key] = Normalize(value);
        }

        public bool ContainsKey(string key) => options.ContainsKey(key);
        public bool Remove(string key) => options.Remove(key);

        /// <summary>Sets the option only if it is absent, and returns its value (Python's dict.setdefault).</summary>
        public object? setdefault(string key, object? value)
        {
            if (!options.TryGetValue(key, out var v)) options[key] = v = Normalize(value);
            return v;
        }

        /// <summary>Option names and values, params excluded.</summary>
        public IReadOnlyDictionary<string, object?> Options => options;

        public double lr { get => GetDouble("lr"); set => options["lr"] = value; }
        public double weight_decay { get => GetDouble("weight_decay"); set => options["weight_decay"] = value; }
        public double momentum { get => GetDouble("momentum"); set => options["momentum"] = value; }
        public double dampening { get => GetDouble("dampening"); set => options["dampening"] = value; }
        public bool nesterov { get => GetBool("nesterov"); set => options["nesterov"] = value; }
        public double eps { get => GetDouble("eps"); set => options["eps"] = value; }
        public bool amsgrad { get => GetBool("amsgrad"); set => options["amsgrad"] = value; }
        public bool maximize { get => GetBool("maximize"); set => options["maximize"] = value; }

        public (double, double) betas
        {
            get => this["betas"] is (double b1, double b2) ? (b1, b2) : throw new InvalidCastException("option 'betas' is not a pair of numbers");
            set => options["betas"] = value;
        }

        /// <summary>The lr a scheduler started from (set by the first scheduler attached), or null.</summary>
        public double? initial_lr
        {
            get => options.TryGetValue("initial_lr", out var v) && v is not null ? Convert.ToDouble(v, System.Globalization.CultureInfo.InvariantCulture) : null;
            set { if (value.HasValue) options["initial_lr"] = value.Value; else options.Remove("initial_lr"); }
        }

        public double GetDouble(string key) => this[key] switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            var v => throw new InvalidCastException($"option '{key}' is {v?.GetType().Name ?? "null"}, not a number"),
        };

        public bool GetBool(string key) => this[key] is bool b ? b : throw new InvalidCastException($"option '{key}' is not a bool");

        // Numbers are kept as double and pairs as (double, double), so equality and JSON stay simple.
        private static object? Normalize(object? value) => value switch
        {
            float f => (double)f,
            int i => (double)i,
            long l => (double)l,
            ValueTuple<float, float> t => ((double)t.Item1, (double)t.Item2),
            _ => value,
        };

        internal void Add(Tensor parameter) => parameters.Add(parameter);
    }
}
