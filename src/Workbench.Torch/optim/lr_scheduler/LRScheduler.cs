using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// torch.optim.lr_scheduler: schedules that set each param group's lr (and OneCycleLR's momentum)
    /// once per step() call, with PyTorch 1.13's formulas, so the values match it step for step.
    /// </summary>
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Sets every group's lr by hand (e.g. when progressive resizing moves to a new image size).
        /// A group's initial_lr, when present, is moved too, so a scheduler created afterwards starts
        /// from the new value instead of the first scheduler's (PyTorch keeps the old initial_lr).
        /// </summary>
        public static void SetLr(Optimizer optimizer, double lr) => SetLr(optimizer, Enumerable.Repeat(lr, optimizer.param_groups.Count).ToArray());

        /// <summary>One lr per group.</summary>
        public static void SetLr(Optimizer optimizer, IReadOnlyList<double> lrs)
        {
            if (lrs.Count != optimizer.param_groups.Count) throw new ArgumentException($"expected {optimizer.param_groups.Count} learning rates, got {lrs.Count}");
            for (var i = 0; i < lrs.Count; i++)
            {
                var g = optimizer.param_groups[i];
                g.lr = lrs[i];
                if (g.ContainsKey("initial_lr")) g.initial_lr = lrs[i];
            }
        }

        /// <summary>Python's % (the result takes the divisor's sign), which the schedules' formulas rely on.</summary>
        internal static int PyMod(int a, int b) => ((a % b) + b) % b;

        /// <summary>
        /// Base of the schedulers (PyTorch's _LRScheduler). Constructing one takes its first step, which
        /// sets the lr for epoch 0; call step() after each optimizer.step().
        /// </summary>
        public abstract class LRScheduler
        {
            private double[] lastLr = Array.Empty<double>();

            /// <param name="optimizer">the optimizer whose groups this schedules</param>
            /// <param name="last_epoch">-1 to start; otherwise resume (groups must hold initial_lr)</param>
            protected LRScheduler(Optimizer optimizer, int last_epoch)
            {
                this.optimizer = optimizer;
                if (last_epoch == -1)
                {
                    foreach (var g in optimizer.param_groups) g.setdefault("initial_lr", g.lr);
                }
                else
                {
                    for (var i = 0; i < optimizer.param_groups.Count; i++)
                        if (!optimizer.param_groups[i].ContainsKey("initial_lr"))
                            throw new KeyNotFoundException($"param 'initial_lr' is not specified in param_groups[{i}] when resuming an optimizer");
                }
                base_lrs = optimizer.param_groups.Select(g => g.initial_lr!.Value).ToArray();
                this.last_epoch = last_epoch;
            }

            /// <summary>For schedulers that drive others (SequentialLR) and keep no base_lrs of their own.</summary>
            private protected LRScheduler(Optimizer optimizer)
            {
                this.optimizer = optimizer;
                base_lrs = Array.Empty<double>();
            }

            public Optimizer optimizer { get; }

            /// <summary>The index of the last step taken (-1 before the first).</summary>
            public int last_epoch { get; internal set; }

            public IReadOnlyList<double> base_lrs { get; private set; }

            /// <summary>How many times step() ran (the constructor's step included).</summary>
            public int _step_count { get; private protected set; }

            /// <summary>The lr of each group set by the last step.</summary>
            public IReadOnlyList<double> get_last_lr() => lastLr;

            /// <summary>Each subclass's constructor ends with this, once its own fields are set (PyTorch's _initial_step).</summary>
            protected void InitialStep()
            {
                _step_count = 0;
                step();
            }

            internal void InitialStepFromSequence() => InitialStep();

            /// <summary>The chainable (recursive) form: new lrs from the groups' current ones and last_epoch.</summary>
            protected abstract double[] get_lr();

            /// <summary>The closed form, used when step is given an explicit epoch; null where there is none.</summary>
            protected virtual double[]? get_closed_form_lr() => null;

            public virtual void step()
            {
                _step_count++;
                last_epoch++;
                Apply(get_lr());
            }

            /// <summary>Jumps to <paramref name="epoch"/> (deprecated in PyTorch except as SequentialLR uses it).</summary>
            public virtual void step(int epoch)
            {
                _step_count++;
                last_epoch = epoch;
                Apply(get_closed_form_lr() ?? get_lr());
            }

            private protected void Apply(double[] values)
            {
                for (var i = 0; i < optimizer.param_groups.Count && i < values.Length; i++) optimizer.param_groups[i].lr = values[i];
                lastLr = optimizer.param_groups.Select(g => g.lr).ToArray();
            }

            private protected void SetLastLr(IReadOnlyList<double> lrs) => lastLr = lrs.ToArray();

            /// <summary>PyTorch's state_dict keys (the scheduler's fields), as JSON; lambdas are not saved.</summary>
            public virtual JsonObject state_dict() => new()
            {
                ["base_lrs"] = Numbers(base_lrs),
                ["last_epoch"] = last_epoch,
                ["_step_count"] = _step_count,
                ["_last_lr"] = Numbers(lastLr),
            };

            public virtual void load_state_dict(JsonObject state)
            {
                if (state["base_lrs"] is JsonArray b) base_lrs = b.Select(x => x!.GetValue<double>()).ToArray();
                if (state["last_epoch"] is JsonNode e) last_epoch = e.GetValue<int>();
                if (state["_step_count"] is JsonNode c) _step_count = c.GetValue<int>();
                if (state["_last_lr"] is JsonArray l) lastLr = l.Select(x => x!.GetValue<double>()).ToArray();
            }

            private protected static JsonArray Numbers(IEnumerable<double> values) => new(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());

            private protected double[] GroupLrs() => optimizer.param_groups.Select(g => g.lr).ToArray();
        }
    }
}
