using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class torch
{
    /// <summary>Automatic mixed precision helpers (torch.amp / torch.cuda.amp).</summary>
    public static partial class amp
    {
        /// <summary>
        /// Dynamic loss scaling, PyTorch's GradScaler algorithm: scale the loss so float16 gradients do not
        /// underflow, unscale the gradients before the step, skip the step when any gradient is inf/NaN,
        /// then shrink the scale (backoff) or, after growth_interval clean steps in a row, grow it.
        /// Written with ordinary tensor ops, so it runs on any device (libtorch 1.13 has the fused
        /// unscale/update kernels for CUDA only). bfloat16 autocast on CPU does not need it: bfloat16 has
        /// float32's exponent range.
        /// </summary>
        public sealed class GradScaler : IDisposable
        {
            private enum Stage { Ready, Unscaled, Stepped }

            private sealed class OptimizerEntry
            {
                public Stage Stage = Stage.Ready;
                public Tensor? FoundInf;
            }

            private double initScale;
            private readonly Dictionary<optim.Optimizer, OptimizerEntry> perOptimizer = new(ReferenceEqualityComparer.Instance);
            private Tensor? scaleTensor;
            private Tensor? growthTracker;
            private long initGrowthTracker;

            /// <param name="init_scale">initial scale factor</param>
            /// <param name="growth_factor">scale multiplier after growth_interval steps without inf/NaN (&gt; 1)</param>
            /// <param name="backoff_factor">scale multiplier after a step with inf/NaN (&lt; 1)</param>
            /// <param name="growth_interval">consecutive clean steps before the scale grows</param>
            /// <param name="enabled">false: step() just steps and the rest do nothing</param>
            public GradScaler(double init_scale = 65536.0, double growth_factor = 2.0, double backoff_factor = 0.5, int growth_interval = 2000, bool enabled = true)
            {
                if (enabled)
                {
                    if (!(growth_factor > 1.0)) throw new ArgumentException("The growth factor must be > 1.0.");
                    if (!(backoff_factor < 1.0)) throw new ArgumentException("The backoff factor must be < 1.0.");
                }
                initScale = init_scale;
                this.growth_factor = growth_factor;
                this.backoff_factor = backoff_factor;
                this.growth_interval = growth_interval;
                this.enabled = enabled;
            }

            private readonly bool enabled;

            public double growth_factor { get; set; }
            public double backoff_factor { get; set; }
            public int growth_interval { get; set; }

            public bool is_enabled() => enabled;

            /// <summary>outputs * scale (the scale tensor is created on the outputs' device on first use).</summary>
            public Tensor scale(Tensor outputs)
            {
                if (!enabled) return outputs;
                if (scaleTensor is null) LazyInit(outputs.device);
                using var s = scaleTensor!.to(outputs.device);
                return outputs.mul(s);
            }

            public IReadOnlyList<Tensor> scale(IEnumerable<Tensor> outputs) => outputs.Select(scale).ToList();

            /// <summary>
            /// Divides the optimizer's gradients by the scale in place and records whether any was inf/NaN.
            /// Optional: step() does it; call it first to clip or inspect true gradients. Once per step.
            /// </summary>
            public void unscale_(optim.Optimizer optimizer)
            {
                if (!enabled) return;
                CheckInitialized("unscale_");
                var entry = EntryFor(optimizer);
                if (entry.Stage == Stage.Unscaled) throw new InvalidOperationException("unscale_() has already been called on this optimizer since the last update().");
                if (entry.Stage == Stage.Stepped) throw new InvalidOperationException("unscale_() is being called after step().");

                var foundInf = torch.zeros(new long[] { 1 }, ScalarType.Float32, scaleTensor!.device).DetachFromDisposeScope();
                using (torch.NewDisposeScope())
                using (torch.no_grad())
                {
                    // PyTorch computes 1/scale in double and rounds it to float32.
                    var invScale = scaleTensor.to(ScalarType.Float64).reciprocal().to(ScalarType.Float32);
                    foreach (var group in optimizer.param_groups)
                    {
                        foreach (var p in group.@params)
                        {
                            var g = p.grad;
                            if (g is null) continue;
                            if (g.dtype == ScalarType.Float16) throw new InvalidOperationException("Attempting to unscale FP16 gradients.");
                            var nonFinite = g.isfinite().all().logical_not();
                            foundInf.add_(nonFinite.to(foundInf.device));
                            g.mul_(invScale.to(g.device));
                        }
                    }
                }
                entry.FoundInf?.Dispose();
                entry.FoundInf = foundInf;
                entry.Stage = Stage.Unscaled;
            }

            /// <summary>Unscales (unless unscale_ was called) and steps the optimizer unless a gradient was inf/NaN.
            /// Returns whether the step ran (reading the flag is a device sync, as in PyTorch).</summary>
            public bool step(optim.Optimizer optimizer)
            {
                if (!enabled)
                {
                    optimizer.step();
                    return true;
                }
                CheckInitialized("step");
                var entry = EntryFor(optimizer);
                if (entry.Stage == Stage.Stepped) throw new InvalidOperationException("step() has already been called since the last update().");
                if (entry.Stage == Stage.Ready) unscale_(optimizer);
                var stepped = entry.FoundInf!.item<float>() == 0;
                if (stepped) optimizer.step();
                entry.Stage = Stage.Stepped;
                return stepped;
            }

            /// <summary>
            /// Adjusts the scale at the end of an iteration: × backoff_factor if any optimizer saw inf/NaN,
            /// × growth_factor after growth_interval clean iterations (if the result is finite); or sets it
            /// to <paramref name="new_scale"/>. Runs as tensor ops (no device sync).
            /// </summary>
            public void update(double? new_scale = null)
            {
                if (!enabled) return;
                CheckInitialized("update");
                if (new_scale.HasValue)
                {
                    scaleTensor!.fill_(new_scale.Value);
                }
                else
                {
                    var found = perOptimizer.Values.Where(e => e.FoundInf is not null).Select(e => e.FoundInf!).ToList();
                    if (found.Count == 0) throw new InvalidOperationException("No inf checks were recorded prior to update.");
                    using var scope = torch.NewDisposeScope();
                    using var noGrad = torch.no_grad();
                    var combined = found[0].clone();
                    foreach (var f in found.Skip(1)) combined.add_(f);
                    var isFound = combined.gt(0);
                    var successful = growthTracker!.add(1);
                    var grow = successful.eq(growth_interval).logical_and(isFound.logical_not())
                        .logical_and(scaleTensor!.mul(growth_factor).isfinite());
                    var factor = torch.ones_like(scaleTensor).masked_fill_(grow, growth_factor).masked_fill_(isFound, backoff_factor);
                    scaleTensor.mul_(factor);
                    growthTracker.copy_(successful.masked_fill_(grow.logical_or(isFound), 0));
                }
                foreach (var e in perOptimizer.Values) e.FoundInf?.Dispose();
                perOptimizer.Clear();
            }

            /// <summary>The current scale (init_scale before the first scale(); 1 when disabled).</summary>
            public double get_scale() => !enabled ? 1.0 : scaleTensor is null ? initScale : scaleTensor.item<double>();

            private long GrowthTrackerValue() => !enabled ? 0 : growthTracker is null ? initGrowthTracker : growthTracker.item<long>();

            /// <summary>scale, growth_factor, backoff_factor, growth_interval, _growth_tracker (empty when disabled).</summary>
            public JsonObject state_dict() => !enabled ? new JsonObject() : new JsonObject
            {
                ["scale"] = get_scale(),
                ["growth_factor"] = growth_factor,
                ["backoff_factor"] = backoff_factor,
                ["growth_interval"] = growth_interval,
                ["_growth_tracker"] = GrowthTrackerValue(),
            };

            public void load_state_dict(JsonObject state)
            {
                if (!enabled) return;
                if (state.Count == 0) throw new ArgumentException("The source state dict is empty, possibly because it was saved from a disabled instance of GradScaler.");
                var scaleValue = state["scale"]!.GetValue<double>();
                growth_factor = state["growth_factor"]!.GetValue<double>();
                backoff_factor = state["backoff_factor"]!.GetValue<double>();
                growth_interval = state["growth_interval"]!.GetValue<int>();
                initGrowthTracker = state["_growth_tracker"]!.GetValue<long>();
                // Before the first scale() the tensors do not exist yet; they will start from these values.
                initScale = scaleValue;
                scaleTensor?.fill_(scaleValue);
                growthTracker?.fill_(initGrowthTracker);
            }

            private void LazyInit(Device device)
            {
                scaleTensor = torch.full(new long[] { 1 }, initScale, ScalarType.Float32, device).DetachFromDisposeScope();
                growthTracker = torch.full(new long[] { 1 }, initGrowthTracker, ScalarType.Int32, device).DetachFromDisposeScope();
            }

            private void CheckInitialized(string function)
            {
                if (scaleTensor is null || growthTracker is null)
                    throw new InvalidOperationException($"Attempted {function} but the scale is not initialized. This may indicate your script did not use scaler.scale(loss or outputs) earlier in the iteration.");
            }

            private OptimizerEntry EntryFor(optim.Optimizer optimizer)
            {
                if (!perOptimizer.TryGetValue(optimizer, out var e)) perOptimizer[optimizer] = e = new OptimizerEntry();
                return e;
            }

            public void Dispose()
            {
                foreach (var e in perOptimizer.Values) e.FoundInf?.Dispose();
                perOptimizer.Clear();
                scaleTensor?.Dispose();
                growthTracker?.Dispose();
                scaleTensor = growthTracker = null;
            }
        }
    }
}
