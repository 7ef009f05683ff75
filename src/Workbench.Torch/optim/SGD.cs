namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum, L2 weight decay
    /// and maximize: PyTorch 1.13's single-tensor SGD, op for op.
    /// </summary>
    public sealed class SGD : Optimizer
    {
        /// <param name="parameters">tensors to optimize</param>
        /// <param name="lr">learning rate (required, as in PyTorch)</param>
        /// <param name="momentum">momentum factor</param>
        /// <param name="dampening">dampening of the momentum's gradient term</param>
        /// <param name="weight_decay">L2 penalty added to the gradient</param>
        /// <param name="nesterov">Nesterov momentum (needs momentum &gt; 0 and no dampening)</param>
        /// <param name="maximize">ascend the objective</param>
        public SGD(IEnumerable<Tensor> parameters, double lr, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : this(SingleGroup(parameters), lr, momentum, dampening, weight_decay, nesterov, maximize)
        {
        }

        /// <summary>Parameter groups; <paramref name="lr"/> may be left out if every group sets its own.</summary>
        public SGD(IEnumerable<ParamGroup> param_groups, double? lr = null, double momentum = 0, double dampening = 0,
            double weight_decay = 0, bool nesterov = false, bool maximize = false)
            : base(param_groups, new Dictionary<string, object?>
            {
                ["lr"] = lr,
                ["momentum"] = momentum,
                ["dampening"] = dampening,
                ["weight_decay"] = weight_decay,
                ["nesterov"] = nesterov,
                ["maximize"] = maximize,
            })
        {
        }

        protected override void Validate(ParamGroup group)
        {
            if (group.lr < 0) throw new ArgumentException($"Invalid learning rate: {group.lr}");
            if (group.momentum < 0) throw new ArgumentException($"Invalid momentum value: {group.momentum}");
            if (group.weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {group.weight_decay}");
            if (group.nesterov && (group.momentum <= 0 || group.dampening != 0))
                throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
        }

        protected override void Update(ParamGroup group)
        {
            double lr = group.lr, momentum = group.momentum, dampening = group.dampening, weight_decay = group.weight_decay;
            bool nesterov = group.nesterov, maximize = group.maximize;
            foreach (var param in group.@params)
            {
                var d_p = param.grad;
                if (d_p is null) continue;
                var state = StateFor(param);
                if (maximize) d_p = d_p.neg();
                if (weight_decay != 0) d_p = d_p.add(param, alpha: weight_decay);
                if (momentum != 0)
                {
                    if (!state.TryGetValue("momentum_buffer", out var buf))
                    {
                        buf = d_p.clone();
                        state.Set("momentum_buffer", buf);
                    }
                    else
                    {
                        buf.mul_(momentum).add_(d_p, alpha: 1 - dampening);
                    }
                    d_p = nesterov ? d_p.add(buf, alpha: momentum) : buf;
                }
                param.add_(d_p, alpha: -lr);
            }
        }
    }
}
