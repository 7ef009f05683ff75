namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// Adam (Kingma and Ba) with optional L2 weight decay added to the gradient, AMSGrad and maximize:
    /// PyTorch 1.13's single-tensor Adam, op for op, so results match it to float rounding.
    /// </summary>
    public sealed class Adam : Optimizer
    {
        /// <param name="parameters">tensors to optimize</param>
        /// <param name="lr">learning rate</param>
        /// <param name="betas">running-average coefficients of the gradient and its square</param>
        /// <param name="eps">added to the denominator for numerical stability</param>
        /// <param name="weight_decay">L2 penalty added to the gradient (AdamW decouples it instead)</param>
        /// <param name="amsgrad">use the running maximum of the second moment (AMSGrad)</param>
        /// <param name="maximize">ascend the objective</param>
        public Adam(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : this(SingleGroup(parameters), lr, betas, eps, weight_decay, amsgrad, maximize)
        {
        }

        public Adam(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            : base(param_groups, AdamDefaults(lr, betas ?? (0.9, 0.999), eps, weight_decay, amsgrad, maximize))
        {
        }

        internal static Dictionary<string, object?> AdamDefaults(double lr, (double, double) betas, double eps, double weight_decay, bool amsgrad, bool maximize) => new()
        {
            ["lr"] = lr,
            ["betas"] = betas,
            ["eps"] = eps,
            ["weight_decay"] = weight_decay,
            ["amsgrad"] = amsgrad,
            ["maximize"] = maximize,
        };

        internal static void ValidateAdam(ParamGroup group)
        {
            var (beta1, beta2) = group.betas;
            if (!(group.lr >= 0)) throw new ArgumentException($"Invalid learning rate: {group.lr}");
            if (!(group.eps >= 0)) throw new ArgumentException($"Invalid epsilon value: {group.eps}");
            if (!(beta1 >= 0 && beta1 < 1)) throw new ArgumentException($"Invalid beta parameter at index 0: {beta1}");
            if (!(beta2 >= 0 && beta2 < 1)) throw new ArgumentException($"Invalid beta parameter at index 1: {beta2}");
            if (!(group.weight_decay >= 0)) throw new ArgumentException($"Invalid weight_decay value: {group.weight_decay}");
        }

        protected override void Validate(ParamGroup group) => ValidateAdam(group);

        protected override void Update(ParamGroup group) => AdamUpdate(this, group, decoupled: false);

        /// <summary>
        /// Shared by Adam and AdamW; they differ only in where weight decay enters. Every scalar is computed in
        /// double as Python does and every tensor op is the one PyTorch calls, in the same order.
        /// </summary>
        internal static void AdamUpdate(Optimizer optimizer, ParamGroup group, bool decoupled)
        {
            var (beta1, beta2) = group.betas;
            double lr = group.lr, eps = group.eps, weight_decay = group.weight_decay;
            bool amsgrad = group.amsgrad, maximize = group.maximize;
            foreach (var param in group.@params)
            {
                var grad = param.grad;
                if (grad is null) continue;
                var state = optimizer.StateFor(param);
                if (state.step is null)
                {
                    state.step = 0;
                    state.Set("exp_avg", torch.zeros_like(param));
                    state.Set("exp_avg_sq", torch.zeros_like(param));
                    if (amsgrad) state.Set("max_exp_avg_sq", torch.zeros_like(param));
                }
                if (maximize) grad = grad.neg();
                var exp_avg = state["exp_avg"];
                var exp_avg_sq = state["exp_avg_sq"];
                var step = state.step.Value + 1;
                state.step = step;

                if (decoupled) param.mul_(1 - lr * weight_decay);
                else if (weight_decay != 0) grad = grad.add(param, alpha: weight_decay);

                exp_avg.mul_(beta1).add_(grad, alpha: 1 - beta1);
                exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);

                var bias_correction1 = 1 - Math.Pow(beta1, step);
                var bias_correction2 = 1 - Math.Pow(beta2, step);
                var step_size = lr / bias_correction1;
                var bias_correction2_sqrt = Math.Sqrt(bias_correction2);

                Tensor denom;
                if (amsgrad)
                {
                    var max_exp_avg_sq = state["max_exp_avg_sq"];
                    max_exp_avg_sq.maximum_(exp_avg_sq);
                    denom = max_exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(eps);
                }
                else
                {
                    denom = exp_avg_sq.sqrt().div_(bias_correction2_sqrt).add_(eps);
                }
                param.addcdiv_(exp_avg, denom, value: -step_size);
            }
        }
    }
}
