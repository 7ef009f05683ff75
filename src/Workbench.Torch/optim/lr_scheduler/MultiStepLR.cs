using System.Globalization;
using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>Multiplies the lr by gamma at each milestone step (a milestone listed twice decays twice).</summary>
        public sealed class MultiStepLR : LRScheduler
        {
            private SortedDictionary<int, int> milestones;

            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="milestones">step indices at which to decay, increasing</param>
            /// <param name="gamma">multiplicative decay</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma = 0.1, int last_epoch = -1) : base(optimizer, last_epoch)
            {
                // PyTorch keeps a Counter: milestone -> how many times it was listed.
                this.milestones = new SortedDictionary<int, int>();
                foreach (var m in milestones) this.milestones[m] = this.milestones.GetValueOrDefault(m) + 1;
                this.gamma = gamma;
                InitialStep();
            }

            public double gamma { get; private set; }

            public IReadOnlyDictionary<int, int> Milestones => milestones;

            protected override double[] get_lr()
            {
                var lrs = GroupLrs();
                if (!milestones.TryGetValue(last_epoch, out var count)) return lrs;
                return lrs.Select(lr => lr * Math.Pow(gamma, count)).ToArray();
            }

            protected override double[] get_closed_form_lr()
            {
                var passed = milestones.Where(kv => kv.Key <= last_epoch).Sum(kv => kv.Value);
                return base_lrs.Select(b => b * Math.Pow(gamma, passed)).ToArray();
            }

            public override JsonObject state_dict()
            {
                var s = base.state_dict();
                var counter = new JsonObject();
                foreach (var (m, c) in milestones) counter[m.ToString(CultureInfo.InvariantCulture)] = c;
                s["milestones"] = counter;
                s["gamma"] = gamma;
                return s;
            }

            public override void load_state_dict(JsonObject state)
            {
                base.load_state_dict(state);
                if (state["milestones"] is JsonObject counter)
                {
                    milestones = new SortedDictionary<int, int>();
                    foreach (var (k, v) in counter) milestones[int.Parse(k, CultureInfo.InvariantCulture)] = v!.GetValue<int>();
                }
                if (state["gamma"] is JsonNode g) gamma = g.GetValue<double>();
            }
        }
    }
}
