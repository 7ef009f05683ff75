using System.Globalization;
using System.Text.Json.Nodes;

namespace Workbench.Torch;

public static partial class optim
{
    /// <summary>
    /// Converts hyperparameter values (double, bool, string, null, the betas pair, number lists) to JSON
    /// nodes and back, the way Python's json module writes PyTorch's param_groups (tuples become lists).
    /// </summary>
    internal static class PyJson
    {
        public static JsonNode? ToNode(object? value) => value switch
        {
            null => null,
            bool b => JsonValue.Create(b),
            double d => JsonValue.Create(d),
            float f => JsonValue.Create((double)f),
            int i => JsonValue.Create(i),
            long l => JsonValue.Create(l),
            string s => JsonValue.Create(s),
            ValueTuple<double, double> t => new JsonArray(t.Item1, t.Item2),
            JsonNode n => n.DeepClone(),
            IEnumerable<double> ds => new JsonArray(ds.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
            IEnumerable<int> ns => new JsonArray(ns.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()),
            _ => throw new NotSupportedException($"cannot store a {value.GetType().Name} in a param group's JSON"),
        };

        /// <summary>Numbers come back as double; "betas" as (double, double); other number lists as double[].</summary>
        public static object? FromNode(string key, JsonNode? node)
        {
            switch (node)
            {
                case null:
                    return null;
                case JsonArray a when key == "betas" && a.Count == 2:
                    return (a[0]!.GetValue<double>(), a[1]!.GetValue<double>());
                case JsonArray a:
                    return a.Select(x => x!.GetValue<double>()).ToArray();
                case JsonValue v when v.TryGetValue<bool>(out var b):
                    return b;
                case JsonValue v when v.TryGetValue<string>(out var s):
                    return s;
                case JsonValue v:
                    return v.GetValue<double>();
                default:
                    return node.DeepClone();
            }
        }

        /// <summary>Python's repr of a value, for Optimizer.ToString().</summary>
        public static string Format(object? value) => value switch
        {
            null => "None",
            bool b => b ? "True" : "False",
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            ValueTuple<double, double> t => $"({Format(t.Item1)}, {Format(t.Item2)})",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
        };
    }
}
