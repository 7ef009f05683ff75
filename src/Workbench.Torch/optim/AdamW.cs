namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// AdamW (Loshchilov and Hutter): Adam with weight decay decoupled from the gradient, applied as
    /// param *= 1 - lr * weight_decay before the Adam update. PyTorch 1.13's single-tensor AdamW.
    /// </summary>
    public sealed class AdamW : Optimizer
    {
        /// <param name="parameters">tensors to optimize</param>
        /// <param name="lr">learning rate</param>
        /// <param name="betas">running-average coefficients of the gradient and its square</param>
        /// <param name="eps">added to the denominator for numerical stability</param>
        /// <param name="weight_decay">decoupled decay factor (PyTorch's default 1e-2)</param>
        /// <param name="amsgrad">use the running maximum of the second moment (AMSGrad)</param>
        /// <param name="maximize">ascend the objective</param>
        public AdamW(IEnumerable<Tensor> parameters, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : this(SingleGroup(parameters), lr, betas, eps, weight_decay, amsgrad, maximize)
        {
        }

        public AdamW(IEnumerable<ParamGroup> param_groups, double lr = 1e-3, (double, double)? betas = null, double eps = 1e-8,
            double weight_decay = 1e-2, bool amsgrad = false, bool maximize = false)
            : base(param_groups, Adam.AdamDefaults(lr, betas ?? (0.9, 0.999), eps, weight_decay, amsgrad, maximize))
        {
        }

        protected override void Validate(ParamGroup group) => Adam.ValidateAdam(group);

        protected override void Update(ParamGroup group) => Adam.AdamUpdate(this, group, decoupled: true);
    }
}
