namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>lr = initial lr × lr_lambda(step), one function for all groups or one per group.
        /// Like PyTorch, state_dict() cannot save the functions; recreate the scheduler with them.</summary>
        public sealed class LambdaLR : LRScheduler
        {
            private readonly Func<int, double>[] lr_lambdas;

            public LambdaLR(Optimizer optimizer, Func<int, double> lr_lambda, int last_epoch = -1)
                : this(optimizer, Enumerable.Repeat(lr_lambda, optimizer.param_groups.Count).ToArray(), last_epoch)
            {
            }

            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="lr_lambdas">one factor function of the step per param group</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public LambdaLR(Optimizer optimizer, IReadOnlyList<Func<int, double>> lr_lambdas, int last_epoch = -1) : base(optimizer, last_epoch)
            {
                if (lr_lambdas.Count != optimizer.param_groups.Count)
                    throw new ArgumentException($"Expected {optimizer.param_groups.Count} lr_lambdas, but got {lr_lambdas.Count}");
                this.lr_lambdas = lr_lambdas.ToArray();
                InitialStep();
            }

            protected override double[] get_lr() => base_lrs.Select((b, i) => b * lr_lambdas[i](last_epoch)).ToArray();

            public override System.Text.Json.Nodes.JsonObject state_dict()
            {
                var s = base.state_dict();
                s["lr_lambdas"] = new System.Text.Json.Nodes.JsonArray(new System.Text.Json.Nodes.JsonNode?[lr_lambdas.Length]);
                return s;
            }
        }
    }
}
