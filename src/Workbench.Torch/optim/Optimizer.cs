using System.Text.Json.Nodes;

namespace Workbench.Torch;

/// <summary>torch.optim: optimizers and learning-rate schedulers, with PyTorch 1.13's names and math.</summary>
public static partial class optim
{
    /// <summary>
    /// Base of all optimizers (PyTorch's torch.optim.Optimizer): parameter groups with per-group
    /// hyperparameters, per-parameter state, zero_grad, step, state_dict/load_state_dict.
    /// Dispose frees the state buffers (never the parameters).
    /// </summary>
    public abstract class Optimizer : IDisposable
    {
        private readonly List<ParamGroup> groups = new();
        private readonly Dictionary<Tensor, ParamState> states = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, object?> defaultOptions;
        private bool disposed;

        /// <param name="groups">the parameter groups (options they lack come from <paramref name="defaults"/>)</param>
        /// <param name="defaults">hyperparameters by PyTorch key; a null value marks one every group must set (SGD's lr)</param>
        protected Optimizer(IEnumerable<ParamGroup> groups, IReadOnlyDictionary<string, object?> defaults)
        {
            defaultOptions = new Dictionary<string, object?>(defaults);
            var list = groups.ToList();
            if (list.Count == 0) throw new ArgumentException("optimizer got an empty parameter list");
            foreach (var g in list) add_param_group(g);
        }

        /// <summary>A plain parameter list as one group; an empty list is an error, as in PyTorch.</summary>
        private protected static ParamGroup[] SingleGroup(IEnumerable<Tensor> parameters)
        {
            var group = new ParamGroup(parameters);
            if (group.@params.Count == 0) throw new ArgumentException("optimizer got an empty parameter list");
            return new[] { group };
        }

        public IReadOnlyDictionary<string, object?> defaults => defaultOptions;

        public IReadOnlyList<ParamGroup> param_groups => groups;

        /// <summary>Per-parameter state, keyed by the parameter tensor (the same object given to the optimizer).</summary>
        public IReadOnlyDictionary<Tensor, ParamState> state => states;

        /// <summary>Adds a group (e.g. layers unfrozen while fine-tuning); options it lacks take the defaults.</summary>
        public void add_param_group(ParamGroup group)
        {
            foreach (var p in group.@params)
            {
                if (!p.is_leaf) throw new ArgumentException("can't optimize a non-leaf Tensor");
                if (groups.Any(g => g.@params.Contains(p, ReferenceEqualityComparer.Instance)))
                    throw new ArgumentException("some parameters appear in more than one parameter group");
            }
            if (group.@params.Distinct(ReferenceEqualityComparer.Instance).Count() != group.@params.Count)
                throw new ArgumentException("optimizer contains a parameter group with duplicate parameters");
            foreach (var (name, value) in defaultOptions)
            {
                if (value is null && !group.ContainsKey(name))
                    throw new ArgumentException($"parameter group didn't specify a value of required optimization parameter {name}");
                group.setdefault(name, value);
            }
            Validate(group);
            groups.Add(group);
        }

        /// <summary>Checks a group's hyperparameters (PyTorch's constructor checks), throwing ArgumentException.</summary>
        protected virtual void Validate(ParamGroup group)
        {
        }

        /// <summary>
        /// Clears every parameter's gradient. PyTorch 1.13's default (set_to_none = false) zeroes the
        /// gradient tensors in place; set_to_none = true drops them (PyTorch 2.0's default), which saves
        /// memory, and a parameter that then gets no gradient is skipped by step().
        /// </summary>
        public void zero_grad(bool set_to_none = false)
        {
            foreach (var group in groups)
            {
                foreach (var p in group.@params)
                {
                    using var g = p.grad;
                    if (g is null) continue;
                    if (set_to_none)
                    {
                        p.grad = null;
                        continue;
                    }
                    if (g.grad_fn is not null) g.detach_();
                    else g.requires_grad_(false);
                    g.zero_();
                }
            }
        }

        /// <summary>
        /// One update of every parameter that has a gradient. Runs without recording a graph and inside a
        /// dispose scope, so the step's temporaries are freed at once and nothing accumulates per step.
        /// </summary>
        public void step()
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            foreach (var group in groups) Update(group);
        }

        /// <summary>Re-evaluates the loss with gradients enabled (<paramref name="closure"/> calls backward), then steps.</summary>
        public Tensor step(Func<Tensor> closure)
        {
            Tensor loss;
            using (torch.enable_grad()) loss = closure();
            step();
            return loss;
        }

        /// <summary>Updates one group's parameters; called inside no_grad and a dispose scope.</summary>
        protected abstract void Update(ParamGroup group);

        /// <summary>The state of <paramref name="p"/>, created empty on first use (PyTorch's defaultdict).</summary>
        protected internal ParamState StateFor(Tensor p)
        {
            if (!states.TryGetValue(p, out var s)) states[p] = s = new ParamState();
            return s;
        }

        // ---- state_dict ------------------------------------------------------------------

        /// <summary>
        /// PyTorch's structure: state keyed by the parameter's index over all groups in order, and the
        /// groups' hyperparameters with their "params" index lists. Its buffers are second handles to the
        /// live state (no copy, as in PyTorch); dispose the result to release them.
        /// </summary>
        public OptimizerStateDict state_dict()
        {
            var index = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
            var packedGroups = new JsonArray();
            foreach (var g in groups)
            {
                var packed = new JsonObject();
                foreach (var (k, v) in g.Options) packed[k] = PyJson.ToNode(v);
                var ids = new JsonArray();
                foreach (var p in g.@params)
                {
                    if (!index.TryGetValue(p, out var i)) index[p] = i = index.Count;
                    ids.Add(i);
                }
                packed["params"] = ids;
                packedGroups.Add(packed);
            }
            var packedState = new SortedDictionary<int, Dictionary<string, Tensor>>();
            foreach (var (p, s) in states)
            {
                if (!index.TryGetValue(p, out var i)) continue;
                var entry = new Dictionary<string, Tensor>();
                if (s.step.HasValue) entry["step"] = torch.tensor(s.step.Value, ScalarType.Float32).DetachFromDisposeScope();
                foreach (var (name, buffer) in s.Buffers) entry[name] = buffer.alias().DetachFromDisposeScope();
                packedState[i] = entry;
            }
            return new OptimizerStateDict(new Dictionary<int, Dictionary<string, Tensor>>(packedState), packedGroups);
        }

        /// <summary>
        /// Restores state saved by <see cref="state_dict"/>: the groups must match in number and sizes.
        /// Buffers are copied, cast to each parameter's device and (floating) dtype; hyperparameters are
        /// replaced by the saved ones, as in PyTorch.
        /// </summary>
        public void load_state_dict(OptimizerStateDict state_dict)
        {
            var saved = state_dict.param_groups;
            if (saved.Count != groups.Count) throw new ArgumentException("loaded state dict has a different number of parameter groups");
            var idToParam = new Dictionary<int, Tensor>();
            for (var gi = 0; gi < groups.Count; gi++)
            {
                var ids = saved[gi]?["params"] as JsonArray ?? throw new ArgumentException($"param_groups[{gi}] has no params list");
                if (ids.Count != groups[gi].@params.Count) throw new ArgumentException("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
                for (var k = 0; k < ids.Count; k++) idToParam[ids[k]!.GetValue<int>()] = groups[gi].@params[k];
            }

            foreach (var s in states.Values) s.Dispose();
            states.Clear();
            foreach (var (id, entry) in state_dict.state)
            {
                if (!idToParam.TryGetValue(id, out var p)) continue;
                var s = new ParamState();
                foreach (var (name, value) in entry)
                {
                    if (name == "step")
                    {
                        s.step = value.item<double>();
                        continue;
                    }
                    using var scope = torch.NewDisposeScope();
                    var copy = p.is_floating_point() ? value.to(p.device, p.dtype) : value.to(p.device);
                    if (ReferenceEquals(copy, value) || copy.shares_storage_with(value)) copy = value.clone();
                    s.Set(name, copy);
                }
                states[p] = s;
            }

            for (var gi = 0; gi < groups.Count; gi++)
            {
                var g = groups[gi];
                foreach (var key in g.Options.Keys.ToList()) g.Remove(key);
                foreach (var (k, v) in saved[gi]!.AsObject())
                    if (k != "params") g[k] = PyJson.FromNode(k, v);
            }
        }

        public override string ToString()
        {
            var sb = new System.Text.StringBuilder(GetType().Name + " (");
            for (var i = 0; i < groups.Count; i++)
            {
                sb.Append('\n').Append("Parameter Group ").Append(i).Append('\n');
                foreach (var (k, v) in groups[i].Options.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                    sb.Append("    ").Append(k).Append(": ").Append(PyJson.Format(v)).Append('\n');
            }
            return sb.Append(')').ToString();
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            foreach (var s in states.Values) s.Dispose();
            states.Clear();
            GC.SuppressFinalize(this);
        }
    }
}
