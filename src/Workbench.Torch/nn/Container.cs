using System.Collections;

namespace Workbench.Torch;

public static partial class nn
{
    /// <summary>
    /// Runs its modules in order, as torch.nn.Sequential. Children are named "0", "1", ... (or as given), so
    /// state_dict keys match PyTorch's ("body.0.weight"). Intermediate outputs are freed as soon as the next
    /// module has consumed them (large images at inference), except outputs of modules that have forward hooks.
    /// </summary>
    public sealed class Sequential : Module<Tensor, Tensor>, IReadOnlyList<Module<Tensor, Tensor>>
    {
        private readonly List<Module<Tensor, Tensor>> items = new();

        public Sequential(params Module<Tensor, Tensor>[] modules)
        {
            foreach (var m in modules) append(m);
        }

        /// <summary>With explicit child names (PyTorch's OrderedDict form).</summary>
        public Sequential(params (string name, Module<Tensor, Tensor> module)[] modules)
        {
            foreach (var (name, m) in modules)
            {
                register_module(name, m);
                items.Add(m);
            }
        }

        public Sequential append(Module<Tensor, Tensor> module)
        {
            register_module(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
            items.Add(module);
            return this;
        }

        public int Count => items.Count;

        public Module<Tensor, Tensor> this[int index] => items[index < 0 ? index + items.Count : index];

        /// <summary>
        /// A Sequential of a slice of the modules, keeping their names. The modules are shared, not copied:
        /// dispose the original container, not the slice.
        /// </summary>
        public Sequential this[Range range]
        {
            get
            {
                var (offset, length) = range.GetOffsetAndLength(items.Count);
                var names = named_children().Select(c => c.name).ToList();
                return new Sequential(Enumerable.Range(offset, length).Select(i => (names[i], items[i])).ToArray());
            }
        }

        public override Tensor forward(Tensor input)
        {
            var x = input;
            foreach (var m in items)
            {
                var y = m.call(x);
                if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y)) x.Dispose();
                x = y;
                // A hook may have kept this output (feature extraction): leave it to the caller's scope.
                if (m.HasForwardHooks) input = x;
            }
            return x;
        }

        public IEnumerator<Module<Tensor, Tensor>> GetEnumerator() => items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>
    /// Holds submodules in a list, as torch.nn.ModuleList: registered (so their parameters are found and saved as
    /// "blocks.0.conv.weight") but not called; iterate it in your forward.
    /// </summary>
    public class ModuleList<T> : Module, IReadOnlyList<T> where T : Module
    {
        private readonly List<T> items = new();

        public ModuleList(params T[] modules)
        {
            foreach (var m in modules) append(m);
        }

        public ModuleList(IEnumerable<T> modules)
        {
            foreach (var m in modules) append(m);
        }

        public ModuleList<T> append(T module)
        {
            register_module(items.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module);
            items.Add(module);
            return this;
        }

        public ModuleList<T> extend(IEnumerable<T> modules)
        {
            foreach (var m in modules) append(m);
            return this;
        }

        /// <summary>Inserts before <paramref name="index"/>; later modules are renamed, as in PyTorch.</summary>
        public void insert(int index, T module)
        {
            items.Insert(index < 0 ? index + items.Count : index, module);
            Renumber();
        }

        private void Renumber()
        {
            for (var i = 0; i < items.Count + 1; i++) delete_attribute(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            for (var i = 0; i < items.Count; i++) register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), items[i]);
        }

        public int Count => items.Count;

        public T this[int index]
        {
            get => items[index < 0 ? index + items.Count : index];
            set
            {
                var i = index < 0 ? index + items.Count : index;
                items[i] = value;
                register_module(i.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
            }
        }

        public IEnumerator<T> GetEnumerator() => items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A ModuleList of any modules.</summary>
    public sealed class ModuleList : ModuleList<Module>
    {
        public ModuleList(params Module[] modules) : base(modules)
        {
        }
    }

    /// <summary>Holds submodules by name in insertion order, as torch.nn.ModuleDict.</summary>
    public class ModuleDict<T> : Module, IEnumerable<KeyValuePair<string, T>> where T : Module
    {
        private readonly OrderedDictionary<string, T> items = new();

        public ModuleDict(params (string name, T module)[] modules)
        {
            foreach (var (name, m) in modules) this[name] = m;
        }

        public T this[string key]
        {
            get => items.TryGetValue(key, out var m) ? m : throw new KeyNotFoundException($"ModuleDict has no key '{key}'");
            set
            {
                register_module(key, value);
                items[key] = value;
            }
        }

        public int Count => items.Count;
        public IEnumerable<string> keys() => items.Keys;
        public IEnumerable<T> values() => items.Values;
        public bool ContainsKey(string key) => items.ContainsKey(key);

        public bool TryGetValue(string key, out T module) => items.TryGetValue(key, out module!);

        public T pop(string key)
        {
            var m = this[key];
            items.Remove(key);
            delete_attribute(key);
            return m;
        }

        public IEnumerator<KeyValuePair<string, T>> GetEnumerator() => items.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A ModuleDict of any modules.</summary>
    public sealed class ModuleDict : ModuleDict<Module>
    {
        public ModuleDict(params (string name, Module module)[] modules) : base(modules)
        {
        }
    }
}
