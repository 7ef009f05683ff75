using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Scales the lr by a factor moving linearly from start_factor to end_factor over total_iters steps,
        /// then holds it: the usual warmup (start_factor small, end_factor 1).
        /// </summary>
        public sealed class LinearLR : LRScheduler
        {
            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="start_factor">factor at step 0, in (0, 1]</param>
            /// <param name="end_factor">factor from step total_iters on, in [0, 1]</param>
            /// <param name="total_iters">steps to go from start to end</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public LinearLR(Optimizer optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, int total_iters = 5, int last_epoch = -1) : base(optimizer, last_epoch)
            {
                if (start_factor > 1.0 || start_factor <= 0) throw new ArgumentException("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
                if (end_factor > 1.0 || end_factor < 0) throw new ArgumentException("Ending multiplicative factor expected to be between 0 and 1.");
                this.start_factor = start_factor;
                this.end_factor = end_factor;
                this.total_iters = total_iters;
                InitialStep();
            }

            public double start_factor { get; private set; }
            public double end_factor { get; private set; }
            public int total_iters { get; private set; }

            protected override double[] get_lr()
            {
                var lrs = GroupLrs();
                if (last_epoch == 0) return lrs.Select(lr => lr * start_factor).ToArray();
                if (last_epoch > total_iters) return lrs;
                // The ratio of consecutive factors, exactly as PyTorch writes it.
                var ratio = 1.0 + (end_factor - start_factor) / (total_iters * start_factor + (last_epoch - 1) * (end_factor - start_factor));
                return lrs.Select(lr => lr * ratio).ToArray();
            }

            protected override double[] get_closed_form_lr() =>
                base_lrs.Select(b => b * (start_factor + (end_factor - start_factor) * Math.Min(total_iters, last_epoch) / total_iters)).ToArray();

            public override JsonObject state_dict()
            {
                var s = base.state_dict();
                s["start_factor"] = start_factor;
                s["end_factor"] = end_factor;
                s["total_iters"] = total_iters;
                return s;
            }

            public override void load_state_dict(JsonObject state)
            {
                base.load_state_dict(state);
                if (state["start_factor"] is JsonNode a) start_factor = a.GetValue<double>();
                if (state["end_factor"] is JsonNode b) end_factor = b.GetValue<double>();
                if (state["total_iters"] is JsonNode t) total_iters = t.GetValue<int>();
            }
        }
    }
}
