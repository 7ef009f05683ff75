using System.Globalization;
using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// An optimizer's state_dict in PyTorch's structure: <see cref="state"/> maps a parameter index to its
    /// named tensors (step, exp_avg, exp_avg_sq, max_exp_avg_sq, momentum_buffer) and
    /// <see cref="param_groups"/> holds each group's hyperparameters and "params" index list.
    /// For a file it flattens to tensors named "state.{index}.{name}" plus a JSON string, e.g. a
    /// safetensors file with the JSON in its metadata. It owns its tensor handles: dispose it.
    /// </summary>
    public sealed class OptimizerStateDict : IDisposable
    {
        public OptimizerStateDict(Dictionary<int, Dictionary<string, Tensor>> state, JsonArray param_groups)
        {
            this.state = state;
            this.param_groups = param_groups;
        }

        public Dictionary<int, Dictionary<string, Tensor>> state { get; }

        public JsonArray param_groups { get; }

        /// <summary>The state's tensors by flat name ("state.0.exp_avg"); they stay owned by this object.</summary>
        public Dictionary<string, Tensor> ToTensors(string prefix = "")
        {
            var flat = new Dictionary<string, Tensor>();
            foreach (var (index, entry) in state)
                foreach (var (name, t) in entry)
                    flat[$"{prefix}state.{index.ToString(CultureInfo.InvariantCulture)}.{name}"] = t;
            return flat;
        }

        /// <summary>{"param_groups": [...]} — the hyperparameters and index lists, as PyTorch's json would write them.</summary>
        public string ToJson() => new JsonObject { ["param_groups"] = param_groups.DeepClone() }.ToJsonString();

        /// <summary>
        /// Rebuilds a state dict from <see cref="ToTensors"/>' names and <see cref="ToJson"/>'s text. Tensors
        /// whose names lack <paramref name="prefix"/>+"state." are ignored (a checkpoint may hold others); the
        /// result takes its own handles, so the caller keeps ownership of <paramref name="tensors"/>.
        /// </summary>
        public static OptimizerStateDict FromTensors(IReadOnlyDictionary<string, Tensor> tensors, string json, string prefix = "")
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("optimizer state JSON must be an object");
            var groups = root["param_groups"] as JsonArray ?? throw new FormatException("optimizer state JSON has no param_groups list");
            var state = new Dictionary<int, Dictionary<string, Tensor>>();
            var head = prefix + "state.";
            foreach (var (key, t) in tensors)
            {
                if (!key.StartsWith(head, StringComparison.Ordinal)) continue;
                var rest = key.AsSpan(head.Length);
                var dot = rest.IndexOf('.');
                if (dot <= 0 || !int.TryParse(rest[..dot], NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    throw new FormatException($"'{key}' is not named {head}<index>.<name>");
                if (!state.TryGetValue(index, out var entry)) state[index] = entry = new Dictionary<string, Tensor>();
                entry[rest[(dot + 1)..].ToString()] = t.alias().DetachFromDisposeScope();
            }
            return new OptimizerStateDict(state, (JsonArray)groups.DeepClone());
        }

        public void Dispose()
        {
            foreach (var entry in state.Values)
                foreach (var t in entry.Values) t.Dispose();
            state.Clear();
        }
    }
}
