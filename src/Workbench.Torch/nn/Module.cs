using System.Text;

namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// Base of every layer and network, as torch.nn.Module: a tree of named submodules, parameters and
    /// buffers with PyTorch's dotted names ("body.0.conv1.weight"), state_dict round trips, train/eval
    /// mode, device/dtype moves and a PyTorch-style printed tree.
    /// <para>Register components once, in the constructor, with <see cref="register_module{T}"/>,
    /// <see cref="register_parameter"/> and <see cref="register_buffer"/>; the registration order is the
    /// order of <c>named_parameters()</c> and <c>state_dict()</c>, as in PyTorch.</para>
    /// <para>A module owns its registered tensors (they leave any DisposeScope) and frees them, and its
    /// submodules, when disposed.</para>
    /// </summary>
    public abstract class Module : IDisposable
    {
        private readonly OrderedDictionary<string, Tensor?> parameters_ = new();
        private readonly OrderedDictionary<string, Tensor?> buffers_ = new();
        private readonly HashSet<string> nonPersistentBuffers = new();
        private readonly OrderedDictionary<string, Module?> modules_ = new();
        // Tensors set as plain attributes, like spectral_norm's computed `weight`: read by forward, not saved.
        private readonly Dictionary<string, Tensor> plainTensors = new();
        private readonly List<(RemovableHandle handle, Action<Module> hook)> preHooks = new();
        private readonly List<(RemovableHandle handle, LoadStateDictPreHook hook)> loadPreHooks = new();
        private bool disposed;

        /// <summary>True in training mode (the default), false after <c>eval()</c>.</summary>
        public bool training { get; private set; } = true;

        // ---- registration ------------------------------------------------------------------

        /// <summary>
        /// Adds (or replaces) a parameter; null registers the name with no tensor (PyTorch's <c>bias=None</c>).
        /// The module takes ownership of the tensor: it leaves its DisposeScope and is freed with the module.
        /// </summary>
        public void register_parameter(string name, Tensor? param)
        {
            CheckName(name, "parameter");
            if (!parameters_.ContainsKey(name) && HasAttribute(name)) throw new ArgumentException($"attribute '{name}' already exists");
            if (param is not null)
            {
                if (!param.is_leaf) throw new ArgumentException($"cannot assign a non-leaf tensor to parameter '{name}': parameters are leaves; use nn.Parameter(tensor.detach())");
                param.DetachFromDisposeScope();
            }
            plainTensors.Remove(name);
            parameters_[name] = param;
        }

        /// <summary>
        /// Adds (or replaces) a buffer: state that is not trained but saved (running statistics). Non-persistent
        /// buffers are moved with the module but left out of <see cref="state_dict"/>. The module takes ownership.
        /// </summary>
        public void register_buffer(string name, Tensor? tensor, bool persistent = true)
        {
            CheckName(name, "buffer");
            if (!buffers_.ContainsKey(name) && HasAttribute(name)) throw new ArgumentException($"attribute '{name}' already exists");
            tensor?.DetachFromDisposeScope();
            plainTensors.Remove(name);
            buffers_[name] = tensor;
            if (persistent) nonPersistentBuffers.Remove(name);
            else nonPersistentBuffers.Add(name);
        }

        /// <summary>Adds (or replaces) a child module and returns it, so a field can be assigned in the same line.</summary>
        public T register_module<T>(string name, T module) where T : Module?
        {
            CheckName(name, "module");
            if (!modules_.ContainsKey(name) && HasAttribute(name)) throw new ArgumentException($"attribute '{name}' already exists");
            modules_[name] = module;
            return module;
        }

        /// <summary>PyTorch's other name for <see cref="register_module{T}"/>.</summary>
        public void add_module(string name, Module? module) => register_module(name, module);

        private static void CheckName(string name, string kind)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException($"{kind} name can't be empty string \"\"");
            if (name.Contains('.')) throw new ArgumentException($"{kind} name can't contain \".\", got: {name}");
        }

        private bool HasAttribute(string name) =>
            parameters_.ContainsKey(name) || buffers_.ContainsKey(name) || modules_.ContainsKey(name);

        /// <summary>Removes a parameter, buffer or child module by its local name (PyTorch's <c>del module.name</c>).</summary>
        public bool delete_attribute(string name) =>
            parameters_.Remove(name) | buffers_.Remove(name) | modules_.Remove(name) | RemovePlainTensor(name);

        private bool RemovePlainTensor(string name)
        {
            if (!plainTensors.Remove(name, out var t)) return false;
            t.Dispose();
            return true;
        }

        /// <summary>
        /// Looks a tensor up by local name the way Python's attribute access does: parameter, then buffer,
        /// then plain tensor attribute. Layers read their weights through this, so wrappers such as
        /// spectral_norm can replace a parameter with a computed tensor.
        /// </summary>
        protected internal Tensor? GetTensor(string name)
        {
            if (parameters_.TryGetValue(name, out var p)) return p;
            if (buffers_.TryGetValue(name, out var b)) return b;
            return plainTensors.TryGetValue(name, out var t) ? t : null;
        }

        /// <summary>True when <paramref name="name"/> is a registered parameter slot (even one holding null).</summary>
        protected internal bool HasParameter(string name) => parameters_.ContainsKey(name);

        /// <summary>
        /// Sets a plain (unregistered, unsaved) tensor attribute; the module owns it and frees the previous one.
        /// The graph the tensor belongs to stays alive through libtorch's own references.
        /// </summary>
        protected internal void SetPlainTensor(string name, Tensor? value)
        {
            if (parameters_.ContainsKey(name) || buffers_.ContainsKey(name)) throw new ArgumentException($"'{name}' is a parameter or buffer; remove it before setting a plain tensor");
            if (plainTensors.Remove(name, out var old) && !ReferenceEquals(old, value)) old.Dispose();
            if (value is null) return;
            value.DetachFromDisposeScope();
            plainTensors[name] = value;
        }

        // ---- traversal ---------------------------------------------------------------------

        /// <summary>This module's own parameter, buffer or submodule slots (the local names, in registration order).</summary>
        internal IEnumerable<string> LocalParameterNames => parameters_.Keys;

        public IEnumerable<(string name, Module module)> named_children()
        {
            var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
            foreach (var (name, m) in modules_)
                if (m is not null && seen.Add(m)) yield return (name, m);
        }

        public IEnumerable<Module> children() => named_children().Select(c => c.module);

        /// <summary>This module (name "") and every descendant, depth first, each once.</summary>
        public IEnumerable<(string name, Module module)> named_modules(string prefix = "") =>
            NamedModules(new HashSet<Module>(ReferenceEqualityComparer.Instance), prefix);

        private IEnumerable<(string, Module)> NamedModules(HashSet<Module> memo, string prefix)
        {
            if (!memo.Add(this)) yield break;
            yield return (prefix, this);
            foreach (var (name, m) in modules_)
            {
                if (m is null) continue;
                foreach (var item in m.NamedModules(memo, prefix.Length == 0 ? name : prefix + "." + name)) yield return item;
            }
        }

        public IEnumerable<Module> modules() => named_modules().Select(m => m.module);

        /// <summary>Parameters with dotted names, each tensor once (tied weights appear under their first name).</summary>
        public IEnumerable<(string name, Tensor parameter)> named_parameters(string prefix = "", bool recurse = true) =>
            NamedMembers(m => m.parameters_, prefix, recurse);

        public IEnumerable<Tensor> parameters(bool recurse = true) => named_parameters(recurse: recurse).Select(p => p.parameter);

        public IEnumerable<(string name, Tensor buffer)> named_buffers(string prefix = "", bool recurse = true) =>
            NamedMembers(m => m.buffers_, prefix, recurse);

        public IEnumerable<Tensor> buffers(bool recurse = true) => named_buffers(recurse: recurse).Select(b => b.buffer);

        private IEnumerable<(string, Tensor)> NamedMembers(Func<Module, OrderedDictionary<string, Tensor?>> members, string prefix, bool recurse)
        {
            var seen = new HashSet<Tensor>(ReferenceEqualityComparer.Instance);
            var scope = recurse ? named_modules(prefix) : new[] { (prefix, this) };
            foreach (var (modulePrefix, m) in scope)
            foreach (var (name, t) in members(m))
                if (t is not null && seen.Add(t)) yield return (modulePrefix.Length == 0 ? name : modulePrefix + "." + name, t);
        }

        /// <summary>The submodule at a dotted path ("body.0"); "" is this module.</summary>
        public Module get_submodule(string target)
        {
            if (target.Length == 0) return this;
            var m = this;
            foreach (var part in target.Split('.'))
            {
                if (!m.modules_.TryGetValue(part, out var child) || child is null)
                    throw new ArgumentException($"{m.GetName()} has no attribute `{part}`");
                m = child;
            }
            return m;
        }

        /// <summary>The parameter at a dotted path ("body.0.weight").</summary>
        public Tensor get_parameter(string target)
        {
            var (owner, name) = Split(target);
            if (!owner.parameters_.TryGetValue(name, out var p)) throw new ArgumentException($"{owner.GetName()} has no parameter `{name}`");
            return p ?? throw new ArgumentException($"parameter `{target}` is None");
        }

        public Tensor get_buffer(string target)
        {
            var (owner, name) = Split(target);
            if (!owner.buffers_.TryGetValue(name, out var b)) throw new ArgumentException($"{owner.GetName()} has no buffer `{name}`");
            return b ?? throw new ArgumentException($"buffer `{target}` is None");
        }

        private (Module owner, string name) Split(string target)
        {
            var dot = target.LastIndexOf('.');
            return dot < 0 ? (this, target) : (get_submodule(target[..dot]), target[(dot + 1)..]);
        }

        /// <summary>Number of parameter elements (each tensor counted once).</summary>
        public long count_parameters(bool only_trainable = false) =>
            parameters().Where(p => !only_trainable || p.requires_grad).Sum(p => p.numel());

        // ---- state -------------------------------------------------------------------------

        /// <summary>
        /// Parameters and persistent buffers by dotted name, in PyTorch's order (a module's own entries, then its
        /// children's). The values are new detached handles sharing storage with the module's tensors.
        /// </summary>
        public Dictionary<string, Tensor> state_dict()
        {
            var destination = new Dictionary<string, Tensor>();
            SaveToStateDict(destination, "", new HashSet<Module>(ReferenceEqualityComparer.Instance));
            return destination;
        }

        private void SaveToStateDict(Dictionary<string, Tensor> destination, string prefix, HashSet<Module> memo)
        {
            foreach (var (name, p) in parameters_)
                if (p is not null) destination[prefix + name] = p.detach();
            foreach (var (name, b) in buffers_)
                if (b is not null && !nonPersistentBuffers.Contains(name)) destination[prefix + name] = b.detach();
            foreach (var (name, m) in modules_)
                m?.SaveToStateDict(destination, prefix + name + ".", memo);
        }

        /// <summary>
        /// Copies tensors into this module's parameters and buffers (in place, so optimizers keep their references).
        /// Shape mismatches always raise; with <paramref name="strict"/> missing and unexpected keys raise too,
        /// with PyTorch's message. Returns the keys that were missing or unexpected.
        /// </summary>
        public IncompatibleKeys load_state_dict(IReadOnlyDictionary<string, Tensor> state_dict, bool strict = true)
        {
            // Modules may add or rename entries while loading (BatchNorm's num_batches_tracked): work on a copy.
            var state = new Dictionary<string, Tensor>(state_dict);
            var missing = new List<string>();
            var unexpected = new List<string>();
            var errors = new List<string>();
            using (torch.no_grad()) LoadRecursive(state, "", missing, unexpected, errors);
            if (strict)
            {
                if (unexpected.Count > 0) errors.Insert(0, $"Unexpected key(s) in state_dict: {string.Join(", ", unexpected.Select(k => $"\"{k}\""))}. ");
                if (missing.Count > 0) errors.Insert(0, $"Missing key(s) in state_dict: {string.Join(", ", missing.Select(k => $"\"{k}\""))}. ");
            }
            if (errors.Count > 0) throw new StateDictException($"Error(s) in loading state_dict for {GetName()}:\n\t{string.Join("\n\t", errors)}", missing, unexpected);
            return new IncompatibleKeys(missing, unexpected);
        }

        private void LoadRecursive(Dictionary<string, Tensor> state, string prefix, List<string> missing, List<string> unexpected, List<string> errors)
        {
            foreach (var (_, hook) in loadPreHooks.ToArray()) hook(state, prefix, missing);
            _load_from_state_dict(state, prefix, missing, unexpected, errors);
            foreach (var (name, m) in modules_)
                m?.LoadRecursive(state, prefix + name + ".", missing, unexpected, errors);
        }

        /// <summary>
        /// Loads this module's own entries (not its children's) from <paramref name="state_dict"/>, as PyTorch's
        /// <c>_load_from_state_dict</c>; override to migrate old checkpoints, then call the base.
        /// </summary>
        protected virtual void _load_from_state_dict(Dictionary<string, Tensor> state_dict, string prefix, List<string> missing_keys,
            List<string> unexpected_keys, List<string> error_msgs)
        {
            var local = new List<(string name, Tensor tensor)>();
            foreach (var (name, p) in parameters_) if (p is not null) local.Add((name, p));
            foreach (var (name, b) in buffers_) if (b is not null && !nonPersistentBuffers.Contains(name)) local.Add((name, b));
            foreach (var (name, param) in local)
            {
                var key = prefix + name;
                if (!state_dict.TryGetValue(key, out var input))
                {
                    missing_keys.Add(key);
                    continue;
                }
                var inputShape = input.shape;
                var shape = param.shape;
                // PyTorch 0.3 saved scalars as 1-element vectors; PyTorch still accepts them.
                if (shape.Length == 0 && inputShape.Length == 1)
                {
                    input = input[0];
                    inputShape = input.shape;
                }
                if (!shape.SequenceEqual(inputShape))
                {
                    error_msgs.Add($"size mismatch for {key}: copying a param with shape {PyRepr.Size(inputShape)} from checkpoint, the shape in current model is {PyRepr.Size(shape)}.");
                    continue;
                }
                try
                {
                    param.copy_(input);
                }
                catch (TorchException ex)
                {
                    error_msgs.Add($"While copying the parameter named \"{key}\", whose dimensions in the model are {PyRepr.Size(shape)} and whose dimensions in the checkpoint are {PyRepr.Size(inputShape)}, an exception occurred : {ex.Message}.");
                }
            }
            foreach (var key in state_dict.Keys)
            {
                if (!key.StartsWith(prefix, StringComparison.Ordinal)) continue;
                var rest = key[prefix.Length..];
                var dot = rest.IndexOf('.');
                var first = dot < 0 ? rest : rest[..dot];
                if (!modules_.ContainsKey(first) && !local.Any(l => l.name == first)) unexpected_keys.Add(key);
            }
        }

        // ---- modes, devices, gradients -----------------------------------------------------

        /// <summary>
        /// Sets training mode on this module and every descendant (<c>module.train(mode)</c> / <c>eval()</c> call this).
        /// Override to keep part of a network in a fixed mode (frozen BatchNorm); call the base.
        /// </summary>
        protected internal virtual void SetTrainingMode(bool mode)
        {
            training = mode;
            foreach (var m in children()) m.SetTrainingMode(mode);
        }

        /// <summary>
        /// Applies <paramref name="fn"/> to every parameter, its gradient and every buffer, replacing their data
        /// in place (PyTorch's <c>_apply</c> with <c>param.data = fn(param)</c>): tensors keep their identity,
        /// so an optimizer created before <c>to(device)</c> stays valid.
        /// </summary>
        internal void ApplyToTensors(Func<Tensor, Tensor> fn)
        {
            foreach (var m in modules())
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                foreach (var p in m.parameters_.Values)
                {
                    if (p is null) continue;
                    p.set_data(fn(p));
                    using var g = p.grad;
                    if (g is not null) g.set_data(fn(g));
                }
                foreach (var b in m.buffers_.Values)
                    if (b is not null) b.set_data(fn(b));
            }
        }

        /// <summary>Clears parameter gradients: to zeros in place (PyTorch 1.13's default, as Optimizer.zero_grad), or to None.</summary>
        public void zero_grad(bool set_to_none = false)
        {
            foreach (var p in parameters())
            {
                using var g = p.grad;
                if (g is null) continue;
                if (set_to_none) p.grad = null;
                else
                {
                    if (g.grad_fn is not null) g.detach_();
                    else g.requires_grad = false;
                    g.zero_();
                }
            }
        }

        // ---- hooks -------------------------------------------------------------------------

        /// <summary>Runs <paramref name="hook"/> before every forward (spectral_norm recomputes its weight here).</summary>
        public RemovableHandle register_forward_pre_hook(Action<Module> hook)
        {
            RemovableHandle? handle = null;
            handle = new RemovableHandle(() => preHooks.RemoveAll(h => ReferenceEquals(h.handle, handle)));
            preHooks.Add((handle, hook));
            return handle;
        }

        /// <summary>
        /// Runs <paramref name="hook"/> on the (copied) state dict before this module loads its entries, to migrate
        /// old formats (spectral_norm uses it for checkpoints saved before weight_v existed).
        /// </summary>
        public RemovableHandle register_load_state_dict_pre_hook(LoadStateDictPreHook hook)
        {
            RemovableHandle? handle = null;
            handle = new RemovableHandle(() => loadPreHooks.RemoveAll(h => ReferenceEquals(h.handle, handle)));
            loadPreHooks.Add((handle, hook));
            return handle;
        }

        /// <summary>Runs the untyped pre-forward hooks; <see cref="Module{TIn, TOut}.call"/> calls this first.</summary>
        protected void RunForwardPreHooks()
        {
            if (preHooks.Count == 0) return;
            foreach (var (_, hook) in preHooks.ToArray()) hook(this);
        }

        // ---- printing ----------------------------------------------------------------------

        /// <summary>The text between the parentheses of this module's line in the printed tree (PyTorch's extra_repr).</summary>
        public virtual string extra_repr() => "";

        /// <summary>The class name, as printed (generic arity removed).</summary>
        public string GetName()
        {
            var name = GetType().Name;
            var tick = name.IndexOf('`');
            return tick < 0 ? name : name[..tick];
        }

        /// <summary>The module tree, formatted exactly as PyTorch prints a module.</summary>
        public override string ToString()
        {
            var extra = extra_repr();
            var extraLines = extra.Length == 0 ? new List<string>() : extra.Split('\n').ToList();
            var childLines = new List<string>();
            foreach (var (name, m) in modules_)
                childLines.Add($"({name}): {AddIndent(m?.ToString() ?? "None", 2)}");
            var sb = new StringBuilder(GetName()).Append('(');
            if (extraLines.Count == 1 && childLines.Count == 0) sb.Append(extraLines[0]);
            else if (extraLines.Count + childLines.Count > 0)
                sb.Append("\n  ").Append(string.Join("\n  ", extraLines.Concat(childLines))).Append('\n');
            return sb.Append(')').ToString();
        }

        private static string AddIndent(string s, int spaces)
        {
            var lines = s.Split('\n');
            if (lines.Length == 1) return s;
            var pad = new string(' ', spaces);
            return lines[0] + "\n" + string.Join("\n", lines.Skip(1).Select(l => pad + l));
        }

        // ---- lifetime ----------------------------------------------------------------------

        /// <summary>Frees this module's parameters, buffers and plain tensors, and disposes its submodules.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (disposed || !disposing) return;
            disposed = true;
            foreach (var m in modules_.Values) m?.Dispose();
            foreach (var p in parameters_.Values) p?.Dispose();
            foreach (var b in buffers_.Values) b?.Dispose();
            foreach (var t in plainTensors.Values) t.Dispose();
            plainTensors.Clear();
        }
    }

    /// <summary>A module that maps one input to one output: implement <see cref="forward"/>, call it with <see cref="call"/>.</summary>
    public abstract class Module<TIn, TOut> : Module
    {
        private readonly List<(RemovableHandle handle, Func<Module<TIn, TOut>, TIn, TIn> hook)> typedPreHooks = new();
        private readonly List<(RemovableHandle handle, Func<Module<TIn, TOut>, TIn, TOut, TOut> hook)> forwardHooks = new();

        /// <summary>True when forward hooks are registered (a container must not free this module's outputs).</summary>
        internal bool HasForwardHooks => forwardHooks.Count > 0;

        /// <summary>The computation. Call modules through <see cref="call"/>, which also runs hooks.</summary>
        public abstract TOut forward(TIn input);

        /// <summary>Runs pre-forward hooks, <see cref="forward"/>, then forward hooks (PyTorch's <c>module(x)</c>).</summary>
        public TOut call(TIn input)
        {
            RunForwardPreHooks();
            if (typedPreHooks.Count == 0 && forwardHooks.Count == 0) return forward(input);
            foreach (var (_, hook) in typedPreHooks.ToArray()) input = hook(this, input);
            var output = forward(input);
            foreach (var (_, hook) in forwardHooks.ToArray()) output = hook(this, input, output);
            return output;
        }

        /// <summary>A hook that sees (and may replace, by returning another value) the input before forward.</summary>
        public RemovableHandle register_forward_pre_hook(Func<Module<TIn, TOut>, TIn, TIn> hook) => Add(typedPreHooks, hook);

        public RemovableHandle register_forward_pre_hook(Action<Module<TIn, TOut>, TIn> hook) =>
            Add(typedPreHooks, (m, x) => { hook(m, x); return x; });

        /// <summary>
        /// A hook that sees (and may replace) the output after forward, e.g. to collect features for a perceptual
        /// loss. The output belongs to the caller's DisposeScope; a hook that keeps it beyond the enclosing
        /// forward (a Sequential frees its intermediates) should keep <c>output.alias()</c>.
        /// </summary>
        public RemovableHandle register_forward_hook(Func<Module<TIn, TOut>, TIn, TOut, TOut> hook) => Add(forwardHooks, hook);

        public RemovableHandle register_forward_hook(Action<Module<TIn, TOut>, TIn, TOut> hook) =>
            Add(forwardHooks, (m, x, y) => { hook(m, x, y); return y; });

        private static RemovableHandle Add<THook>(List<(RemovableHandle, THook)> list, THook hook)
        {
            RemovableHandle? handle = null;
            handle = new RemovableHandle(() => list.RemoveAll(h => ReferenceEquals(h.Item1, handle)));
            list.Add((handle, hook));
            return handle;
        }
    }

    /// <summary>A module with two inputs (a loss: input and target; a conditional block).</summary>
    public abstract class Module<T1, T2, TOut> : Module
    {
        public abstract TOut forward(T1 input1, T2 input2);

        public TOut call(T1 input1, T2 input2)
        {
            RunForwardPreHooks();
            return forward(input1, input2);
        }
    }

    /// <summary>Sees (and may edit) the state dict before a module loads its entries under <c>prefix</c>.</summary>
    public delegate void LoadStateDictPreHook(Dictionary<string, Tensor> state_dict, string prefix, List<string> missing_keys);

    /// <summary>Removes a hook when <see cref="remove"/>d or disposed.</summary>
    public sealed class RemovableHandle : IDisposable
    {
        private Action? removeAction;

        internal RemovableHandle(Action remove) => removeAction = remove;

        public void remove()
        {
            removeAction?.Invoke();
            removeAction = null;
        }

        public void Dispose() => remove();
    }

    /// <summary>What <see cref="Module.load_state_dict"/> returns: keys the module had but the dict lacked, and the reverse.</summary>
    public sealed record IncompatibleKeys(IReadOnlyList<string> missing_keys, IReadOnlyList<string> unexpected_keys)
    {
        public override string ToString() =>
            missing_keys.Count == 0 && unexpected_keys.Count == 0 ? "<All keys matched successfully>"
                : $"_IncompatibleKeys(missing_keys=[{string.Join(", ", missing_keys.Select(k => $"'{k}'"))}], unexpected_keys=[{string.Join(", ", unexpected_keys.Select(k => $"'{k}'"))}])";
    }

    /// <summary>Raised by <see cref="Module.load_state_dict"/>; carries PyTorch's message and the offending keys.</summary>
    public sealed class StateDictException : Exception
    {
        public StateDictException(string message, IReadOnlyList<string> missing, IReadOnlyList<string> unexpected) : base(message)
        {
            missing_keys = missing;
            unexpected_keys = unexpected;
        }

        public IReadOnlyList<string> missing_keys { get; }
        public IReadOnlyList<string> unexpected_keys { get; }
    }

    /// <summary>
    /// A trainable tensor: a new leaf sharing <paramref name="data"/>'s storage, with requires_grad set, outside
    /// every DisposeScope (scopes never free weights). The caller still owns <paramref name="data"/>'s handle.
    /// </summary>
    public static Tensor Parameter(Tensor data, bool requires_grad = true)
    {
        var p = data.detach().DetachFromDisposeScope();
        p.requires_grad = requires_grad;
        return p;
    }
}

/// <summary>Fluent module operations that return the module's own type (<c>var net = new Net().to(device).eval();</c>).</summary>
public static class ModuleExtensions
{
    /// <summary>Training mode for the module and its descendants (Dropout active, BatchNorm uses batch statistics).</summary>
    public static T train<T>(this T module, bool mode = true) where T : nn.Module
    {
        module.SetTrainingMode(mode);
        return module;
    }

    /// <summary>Evaluation mode: <c>train(false)</c>.</summary>
    public static T eval<T>(this T module) where T : nn.Module => module.train(false);

    /// <summary>Moves parameters and buffers to a device (in place: the tensors keep their identity).</summary>
    public static T to<T>(this T module, Device device) where T : nn.Module
    {
        module.ApplyToTensors(t => t.to(device));
        return module;
    }

    /// <summary>Casts floating-point parameters and buffers (integer buffers such as num_batches_tracked keep their type).</summary>
    public static T to<T>(this T module, ScalarType dtype) where T : nn.Module
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype.TorchName()}");
        module.ApplyToTensors(t => t.is_floating_point() ? t.to(dtype) : t.alias());
        return module;
    }

    public static T to<T>(this T module, Device device, ScalarType dtype) where T : nn.Module
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"nn.Module.to only accepts floating point dtypes, but got desired dtype={dtype.TorchName()}");
        module.ApplyToTensors(t => t.is_floating_point() ? t.to(device, dtype) : t.to(device));
        return module;
    }

    public static T cuda<T>(this T module, int index = 0) where T : nn.Module => module.to(new Device(DeviceType.CUDA, index));
    public static T cpu<T>(this T module) where T : nn.Module => module.to(Device.CPU);
    public static T @float<T>(this T module) where T : nn.Module => module.to(ScalarType.Float32);
    public static T @double<T>(this T module) where T : nn.Module => module.to(ScalarType.Float64);
    public static T half<T>(this T module) where T : nn.Module => module.to(ScalarType.Float16);

    /// <summary>Sets requires_grad on every parameter (freezing or unfreezing the module).</summary>
    public static T requires_grad_<T>(this T module, bool requires_grad = true) where T : nn.Module
    {
        foreach (var p in module.parameters()) p.requires_grad = requires_grad;
        return module;
    }

    /// <summary>Calls <paramref name="fn"/> on every descendant, children first, then on the module itself (weight init).</summary>
    public static T apply<T>(this T module, Action<nn.Module> fn) where T : nn.Module
    {
        foreach (var child in module.children()) child.apply(fn);
        fn(module);
        return module;
    }
}
