namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>A loss module: <c>loss.call(input, target)</c>, with PyTorch's reduction ("mean", "sum" or "none").</summary>
    public abstract class Loss : Module<Tensor, Tensor, Tensor>
    {
        private protected Loss(string reduction)
        {
            if (reduction is not ("none" or "mean" or "sum")) throw new ArgumentException($"{reduction} is not a valid value for reduction");
            this.reduction = reduction;
        }

        public string reduction { get; }
    }

    public sealed class MSELoss : Loss
    {
        public MSELoss(string reduction = "mean") : base(reduction) { }

        public override Tensor forward(Tensor input, Tensor target) => functional.mse_loss(input, target, reduction);
    }

    public sealed class L1Loss : Loss
    {
        public L1Loss(string reduction = "mean") : base(reduction) { }

        public override Tensor forward(Tensor input, Tensor target) => functional.l1_loss(input, target, reduction);
    }

    public sealed class SmoothL1Loss : Loss
    {
        public SmoothL1Loss(string reduction = "mean", double beta = 1.0) : base(reduction) => this.beta = beta;

        public double beta { get; }

        public override Tensor forward(Tensor input, Tensor target) => functional.smooth_l1_loss(input, target, reduction, beta);
    }

    public sealed class BCELoss : Loss
    {
        public BCELoss(Tensor? weight = null, string reduction = "mean") : base(reduction) => register_buffer("weight", weight?.alias());

        public override Tensor forward(Tensor input, Tensor target) => functional.binary_cross_entropy(input, target, GetTensor("weight"), reduction);
    }

    /// <summary>Sigmoid + BCE in one numerically stable op; <c>pos_weight</c> weighs positives per class.</summary>
    public sealed class BCEWithLogitsLoss : Loss
    {
        public BCEWithLogitsLoss(Tensor? weight = null, string reduction = "mean", Tensor? pos_weight = null) : base(reduction)
        {
            register_buffer("weight", weight?.alias());
            register_buffer("pos_weight", pos_weight?.alias());
        }

        public override Tensor forward(Tensor input, Tensor target) =>
            functional.binary_cross_entropy_with_logits(input, target, GetTensor("weight"), reduction, GetTensor("pos_weight"));
    }

    public sealed class CrossEntropyLoss : Loss
    {
        public CrossEntropyLoss(Tensor? weight = null, long ignore_index = -100, string reduction = "mean", double label_smoothing = 0.0) : base(reduction)
        {
            register_buffer("weight", weight?.alias());
            this.ignore_index = ignore_index;
            this.label_smoothing = label_smoothing;
        }

        public long ignore_index { get; }
        public double label_smoothing { get; }

        public override Tensor forward(Tensor input, Tensor target) =>
            functional.cross_entropy(input, target, GetTensor("weight"), ignore_index, reduction, label_smoothing);
    }
}
