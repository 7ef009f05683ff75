using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests;

/// <summary>The output of tests/reference/nn_reference.py, computed once per test process.</summary>
internal static class NnReference
{
    internal sealed record ModuleCase(string name, long seed, bool train, List<string> keys, List<string> parameters, List<int> grad_inputs, string repr, long? seed_forward);

    internal sealed record FunctionalCase(string name, List<int> grad_inputs, long? seed_forward);

    internal sealed record ExtraResults(string strict_error, List<string> nonstrict_missing, List<string> nonstrict_unexpected, string nonstrict_size_error);

    private static readonly Lazy<(Dictionary<string, Tensor> Tensors, List<ModuleCase> Modules, List<FunctionalCase> Functional, ExtraResults Extras)> Data = new(() =>
    {
        var dir = PythonReference.Run("nn_reference.py");
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(Path.Combine(dir, "nn.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every test: outlives the test scopes
        return (tensors,
            JsonSerializer.Deserialize<List<ModuleCase>>(metadata["modules"])!,
            JsonSerializer.Deserialize<List<FunctionalCase>>(metadata["functional"])!,
            JsonSerializer.Deserialize<ExtraResults>(metadata["extras"])!);
    });

    public static Dictionary<string, Tensor> Tensors => Data.Value.Tensors;
    public static List<ModuleCase> Modules => Data.Value.Modules;
    public static List<FunctionalCase> Functional => Data.Value.Functional;
    public static ExtraResults Extras => Data.Value.Extras;
}
