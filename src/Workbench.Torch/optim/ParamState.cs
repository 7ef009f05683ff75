using System.Diagnostics.CodeAnalysis;

namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// An optimizer's state for one parameter (PyTorch's optimizer.state[p]): named buffers such as
    /// exp_avg or momentum_buffer, owned by the optimizer, and the step count where the algorithm has one.
    /// </summary>
    public sealed class ParamState : IDisposable
    {
        private readonly Dictionary<string, Tensor> buffers = new();

        /// <summary>Steps taken (Adam, AdamW); null for algorithms without a count (SGD).
        /// PyTorch keeps it in a float32 tensor; it is a double here and becomes that tensor in state_dict().</summary>
        public double? step { get; set; }

        public IReadOnlyDictionary<string, Tensor> Buffers => buffers;

        public Tensor this[string key] => buffers.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"no state '{key}'; this parameter has: {string.Join(", ", buffers.Keys)}");

        public bool TryGetValue(string key, [NotNullWhen(true)] out Tensor? buffer) => buffers.TryGetValue(key, out buffer);

        public bool ContainsKey(string key) => buffers.ContainsKey(key);

        /// <summary>Takes ownership of <paramref name="buffer"/> (out of any dispose scope), freeing what it replaces.</summary>
        public void Set(string key, Tensor buffer)
        {
            buffer.DetachFromDisposeScope();
            if (buffers.TryGetValue(key, out var old) && !ReferenceEquals(old, buffer)) old.Dispose();
            buffers[key] = buffer;
        }

        public void Dispose()
        {
            foreach (var t in buffers.Values) t.Dispose();
            buffers.Clear();
        }
    }
}
