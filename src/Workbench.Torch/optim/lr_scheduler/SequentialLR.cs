using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    public static partial class lr_scheduler
    {
        /// <summary>
        /// Runs schedulers one after another, switching at the milestones (e.g. LinearLR warmup for 5 steps,
        /// then CosineAnnealingLR): PyTorch 1.13's SequentialLR, including how it restarts each one.
        /// </summary>
        public sealed class SequentialLR : LRScheduler
        {
            private readonly LRScheduler[] schedulers;
            private readonly int[] milestones;

            /// <param name="optimizer">the optimizer all the schedulers drive</param>
            /// <param name="schedulers">the schedulers, in order</param>
            /// <param name="milestones">the steps at which the next scheduler takes over (one fewer than schedulers)</param>
            /// <param name="last_epoch">-1 to start</param>
            public SequentialLR(Optimizer optimizer, IReadOnlyList<LRScheduler> schedulers, IReadOnlyList<int> milestones, int last_epoch = -1) : base(optimizer)
            {
                for (var i = 0; i < schedulers.Count; i++)
                    if (!ReferenceEquals(schedulers[i].optimizer, optimizer))
                        throw new ArgumentException($"Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at index {i} to be different than the optimizer passed in.");
                if (milestones.Count != schedulers.Count - 1)
                    throw new ArgumentException($"Sequential Schedulers expects number of schedulers provided to be one more than the number of milestone points, but got number of schedulers {schedulers.Count} and the number of milestones to be equal to {milestones.Count}");
                this.schedulers = schedulers.ToArray();
                this.milestones = milestones.ToArray();
                this.last_epoch = last_epoch + 1;
                // Undo what constructing the schedulers did, then start only the first one.
                foreach (var g in optimizer.param_groups) g.lr = g.initial_lr ?? g.lr;
                foreach (var s in this.schedulers) s.last_epoch -= 1;
                this.schedulers[0].InitialStepFromSequence();
                SetLastLr(this.schedulers[0].get_last_lr());
            }

            public IReadOnlyList<LRScheduler> _schedulers => schedulers;
            public IReadOnlyList<int> _milestones => milestones;

            protected override double[] get_lr() => throw new NotSupportedException("SequentialLR delegates to its schedulers");

            public override void step()
            {
                last_epoch++;
                var idx = BisectRight(milestones, last_epoch);
                var scheduler = schedulers[idx];
                if (idx > 0 && milestones[idx - 1] == last_epoch) scheduler.step(0);
                else scheduler.step();
                SetLastLr(scheduler.get_last_lr());
            }

            public override void step(int epoch) => throw new NotSupportedException("SequentialLR steps one at a time");

            private static int BisectRight(int[] sorted, int x)
            {
                var i = 0;
                while (i < sorted.Length && sorted[i] <= x) i++;
                return i;
            }

            public override JsonObject state_dict() => new()
            {
                ["_milestones"] = new JsonArray(milestones.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                ["last_epoch"] = last_epoch,
                ["_last_lr"] = Numbers(get_last_lr()),
                ["_schedulers"] = new JsonArray(schedulers.Select(s => (JsonNode?)s.state_dict()).ToArray()),
            };

            public override void load_state_dict(JsonObject state)
            {
                if (state["last_epoch"] is JsonNode e) last_epoch = e.GetValue<int>();
                if (state["_last_lr"] is JsonArray l) SetLastLr(l.Select(x => x!.GetValue<double>()).ToArray());
                if (state["_schedulers"] is JsonArray subs)
                    for (var i = 0; i < subs.Count && i < schedulers.Length; i++) schedulers[i].load_state_dict((JsonObject)subs[i]!);
            }
        }
    }
}
