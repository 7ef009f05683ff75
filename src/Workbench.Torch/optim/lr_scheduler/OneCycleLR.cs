using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// The 1cycle policy (Smith): lr rises from max_lr/div_factor to max_lr over pct_start of the steps,
        /// then anneals to initial_lr/final_div_factor; momentum (SGD) or beta1 (Adam) moves the opposite
        /// way between max_momentum and base_momentum. step() is called once per batch, total_steps times.
        /// </summary>
        public sealed class OneCycleLR : LRScheduler
        {
            private sealed record Phase(double end_step, string start_lr, string end_lr, string start_momentum, string end_momentum);

            private Phase[] phases;

            /// <param name="optimizer">the optimizer to schedule</param>
            /// <param name="max_lr">peak lr (one value for all groups)</param>
            /// <param name="total_steps">steps in the cycle; or give epochs and steps_per_epoch</param>
            /// <param name="epochs">epochs, with steps_per_epoch, when total_steps is not given</param>
            /// <param name="steps_per_epoch">batches per epoch</param>
            /// <param name="pct_start">fraction of the cycle spent raising the lr</param>
            /// <param name="anneal_strategy">"cos" or "linear"</param>
            /// <param name="cycle_momentum">cycle momentum / beta1 inversely to the lr</param>
            /// <param name="base_momentum">momentum at the lr peak</param>
            /// <param name="max_momentum">momentum at the start and end</param>
            /// <param name="div_factor">initial_lr = max_lr / div_factor</param>
            /// <param name="final_div_factor">min_lr = initial_lr / final_div_factor</param>
            /// <param name="three_phase">fastai's three phases (up, back down to initial_lr, then to min_lr)</param>
            /// <param name="last_epoch">-1 to start, or the step to resume after</param>
            public OneCycleLR(Optimizer optimizer, double max_lr, int? total_steps = null, int? epochs = null, int? steps_per_epoch = null,
                double pct_start = 0.3, string anneal_strategy = "cos", bool cycle_momentum = true, double base_momentum = 0.85,
                double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1)
                : this(optimizer, Enumerable.Repeat(max_lr, optimizer.param_groups.Count).ToArray(), total_steps, epochs, steps_per_epoch, pct_start,
                    anneal_strategy, cycle_momentum, base_momentum, max_momentum, div_factor, final_div_factor, three_phase, last_epoch)
            {
            }

            /// <summary>One max_lr per param group.</summary>
            public OneCycleLR(Optimizer optimizer, IReadOnlyList<double> max_lr, int? total_steps = null, int? epochs = null, int? steps_per_epoch = null,
                double pct_start = 0.3, string anneal_strategy = "cos", bool cycle_momentum = true, double base_momentum = 0.85,
                double max_momentum = 0.95, double div_factor = 25.0, double final_div_factor = 1e4, bool three_phase = false, int last_epoch = -1)
                : base(Prepare(optimizer, max_lr, div_factor, final_div_factor, cycle_momentum, base_momentum, max_momentum, last_epoch), last_epoch)
            {
                if (total_steps is null && (epochs is null || steps_per_epoch is null))
                    throw new ArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");
                if (total_steps is int t)
                {
                    if (t <= 0) throw new ArgumentException($"Expected positive integer total_steps, but got {t}");
                    this.total_steps = t;
                }
                else
                {
                    if (epochs <= 0) throw new ArgumentException($"Expected positive integer epochs, but got {epochs}");
                    if (steps_per_epoch <= 0) throw new ArgumentException($"Expected positive integer steps_per_epoch, but got {steps_per_epoch}");
                    this.total_steps = epochs!.Value * steps_per_epoch!.Value;
                }
                if (pct_start < 0 || pct_start > 1) throw new ArgumentException($"Expected float between 0 and 1 pct_start, but got {pct_start}");
                if (anneal_strategy is not ("cos" or "linear")) throw new ArgumentException($"anneal_strategy must by one of 'cos' or 'linear', instead got {anneal_strategy}");
                this.anneal_strategy = anneal_strategy;
                this.cycle_momentum = cycle_momentum;
                use_beta1 = optimizer.defaults.ContainsKey("betas");
                phases = three_phase
                    ? new[]
                    {
                        new Phase(pct_start * this.total_steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                        new Phase(2 * pct_start * this.total_steps - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
                        new Phase(this.total_steps - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
                    }
                    : new[]
                    {
                        new Phase(pct_start * this.total_steps - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                        new Phase(this.total_steps - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"),
                    };
                InitialStep();
            }

            public int total_steps { get; private set; }
            public string anneal_strategy { get; private set; }
            public bool cycle_momentum { get; private set; }

            /// <summary>True when the optimizer has betas (Adam family): beta1 is cycled instead of momentum.</summary>
            public bool use_beta1 { get; private set; }

            // Sets initial_lr, max_lr, min_lr and the momentum bounds in each group before the base
            // constructor reads initial_lr, in PyTorch's order.
            private static Optimizer Prepare(Optimizer optimizer, IReadOnlyList<double> max_lr, double div_factor, double final_div_factor,
                bool cycle_momentum, double base_momentum, double max_momentum, int last_epoch)
            {
                if (max_lr.Count != optimizer.param_groups.Count)
                    throw new ArgumentException($"expected {optimizer.param_groups.Count} values for max_lr, got {max_lr.Count}");
                if (last_epoch == -1)
                {
                    for (var i = 0; i < max_lr.Count; i++)
                    {
                        var g = optimizer.param_groups[i];
                        g["initial_lr"] = max_lr[i] / div_factor;
                        g["max_lr"] = max_lr[i];
                        g["min_lr"] = g.GetDouble("initial_lr") / final_div_factor;
                    }
                }
                if (cycle_momentum)
                {
                    var useBeta1 = optimizer.defaults.ContainsKey("betas");
                    if (!optimizer.defaults.ContainsKey("momentum") && !useBeta1)
                        throw new ArgumentException("optimizer must support momentum with `cycle_momentum` option enabled");
                    if (last_epoch == -1)
                    {
                        foreach (var g in optimizer.param_groups)
                        {
                            if (useBeta1) g.betas = (max_momentum, g.betas.Item2);
                            else g.momentum = max_momentum;
                            g["max_momentum"] = max_momentum;
                            g["base_momentum"] = base_momentum;
                        }
                    }
                }
                return optimizer;
            }

            private double Anneal(double start, double end, double pct) => anneal_strategy == "cos"
                ? end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1)
                : (end - start) * pct + start;

            protected override double[] get_lr()
            {
                var step_num = last_epoch;
                if (step_num > total_steps)
                    throw new InvalidOperationException($"Tried to step {step_num + 1} times. The specified number of total steps is {total_steps}");
                var lrs = new double[optimizer.param_groups.Count];
                for (var gi = 0; gi < lrs.Length; gi++)
                {
                    var group = optimizer.param_groups[gi];
                    double start_step = 0, computed_lr = 0, computed_momentum = 0;
                    for (var i = 0; i < phases.Length; i++)
                    {
                        var phase = phases[i];
                        if (step_num <= phase.end_step || i == phases.Length - 1)
                        {
                            var pct = (step_num - start_step) / (phase.end_step - start_step);
                            computed_lr = Anneal(group.GetDouble(phase.start_lr), group.GetDouble(phase.end_lr), pct);
                            if (cycle_momentum) computed_momentum = Anneal(group.GetDouble(phase.start_momentum), group.GetDouble(phase.end_momentum), pct);
                            break;
                        }
                        start_step = phase.end_step;
                    }
                    lrs[gi] = computed_lr;
                    if (cycle_momentum)
                    {
                        if (use_beta1) group.betas = (computed_momentum, group.betas.Item2);
                        else group.momentum = computed_momentum;
                    }
                }
                return lrs;
            }

            public override JsonObject state_dict()
            {
                var s = base.state_dict();
                s["total_steps"] = total_steps;
                s["anneal_strategy"] = anneal_strategy;
                s["cycle_momentum"] = cycle_momentum;
                s["use_beta1"] = use_beta1;
                s["_schedule_phases"] = new JsonArray(phases.Select(p => (JsonNode?)new JsonObject
                {
                    ["end_step"] = p.end_step,
                    ["start_lr"] = p.start_lr,
                    ["end_lr"] = p.end_lr,
                    ["start_momentum"] = p.start_momentum,
                    ["end_momentum"] = p.end_momentum,
                }).ToArray());
                return s;
            }

            public override void load_state_dict(JsonObject state)
            {
                base.load_state_dict(state);
                if (state["total_steps"] is JsonNode t) total_steps = t.GetValue<int>();
                if (state["anneal_strategy"] is JsonNode a) anneal_strategy = a.GetValue<string>();
                if (state["cycle_momentum"] is JsonNode c) cycle_momentum = c.GetValue<bool>();
                if (state["use_beta1"] is JsonNode u) use_beta1 = u.GetValue<bool>();
                if (state["_schedule_phases"] is JsonArray ps)
                    phases = ps.Select(p => new Phase(p!["end_step"]!.GetValue<double>(), p["start_lr"]!.GetValue<string>(), p["end_lr"]!.GetValue<string>(),
                        p["start_momentum"]!.GetValue<string>(), p["end_momentum"]!.GetValue<string>())).ToArray();
            }
        }
    }
}
