using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>Multiplies the lr by gamma every step_size steps.</summary>
        public sealed class StepLR : LRScheduler
        {
            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="step_size">steps between decays</param>
            /// <param name="gamma">multiplicative decay</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public StepLR(Optimizer optimizer, int step_size, double gamma = 0.1, int last_epoch = -1) : base(optimizer, last_epoch)
            {
                if (step_size <= 0) throw new ArgumentException($"step_size must be positive, got {step_size}");
                this.step_size = step_size;
                this.gamma = gamma;
                InitialStep();
            }

            public int step_size { get; private set; }
            public double gamma { get; private set; }

            protected override double[] get_lr()
            {
                var lrs = GroupLrs();
                if (last_epoch == 0 || PyMod(last_epoch, step_size) != 0) return lrs;
                return lrs.Select(lr => lr * gamma).ToArray();
            }

            protected override double[] get_closed_form_lr() =>
                base_lrs.Select(b => b * Math.Pow(gamma, Math.Floor((double)last_epoch / step_size))).ToArray();

            public override JsonObject state_dict()
            {
                var s = base.state_dict();
                s["step_size"] = step_size;
                s["gamma"] = gamma;
                return s;
            }

            public override void load_state_dict(JsonObject state)
            {
                base.load_state_dict(state);
                if (state["step_size"] is JsonNode n) step_size = n.GetValue<int>();
                if (state["gamma"] is JsonNode g) gamma = g.GetValue<double>();
            }
        }
    }
}
