using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Cosine annealing from the initial lr to eta_min over T_max steps (SGDR without restarts). Like
        /// PyTorch it uses the recursive form, so lr changes made from outside carry through.
        /// </summary>
        public sealed class CosineAnnealingLR : LRScheduler
        {
            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="T_max">steps from the initial lr to eta_min</param>
            /// <param name="eta_min">the lowest lr</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public CosineAnnealingLR(Optimizer optimizer, int T_max, double eta_min = 0, int last_epoch = -1) : base(optimizer, last_epoch)
            {
                if (T_max <= 0) throw new ArgumentException($"T_max must be positive, got {T_max}");
                this.T_max = T_max;
                this.eta_min = eta_min;
                InitialStep();
            }

            public int T_max { get; private set; }
            public double eta_min { get; private set; }

            protected override double[] get_lr()
            {
                var lrs = GroupLrs();
                if (last_epoch == 0) return lrs;
                if (_step_count == 1 && last_epoch > 0)
                    return base_lrs.Select(b => eta_min + (b - eta_min) * (1 + Math.Cos(last_epoch * Math.PI / T_max)) / 2).ToArray();
                if (PyMod(last_epoch - 1 - T_max, 2 * T_max) == 0)
                    return lrs.Select((lr, i) => lr + (base_lrs[i] - eta_min) * (1 - Math.Cos(Math.PI / T_max)) / 2).ToArray();
                return lrs.Select(lr => (1 + Math.Cos(Math.PI * last_epoch / T_max)) / (1 + Math.Cos(Math.PI * (last_epoch - 1) / T_max)) * (lr - eta_min) + eta_min).ToArray();
            }

            protected override double[] get_closed_form_lr() =>
                base_lrs.Select(b => eta_min + (b - eta_min) * (1 + Math.Cos(Math.PI * last_epoch / T_max)) / 2).ToArray();

            public override JsonObject state_dict()
            {
                var s = base.state_dict();
                s["T_max"] = T_max;
                s["eta_min"] = eta_min;
                return s;
            }

            public override void load_state_dict(JsonObject state)
            {
                base.load_state_dict(state);
                if (state["T_max"] is JsonNode t) T_max = t.GetValue<int>();
                if (state["eta_min"] is JsonNode e) eta_min = e.GetValue<double>();
            }
        }
    }
}
