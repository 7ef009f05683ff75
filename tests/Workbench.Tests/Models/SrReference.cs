using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>
/// The output of tests/reference/sr_reference.py (PyTorch 1.13), computed once per test process, and the parity
/// check every SR model test uses: same weights and input on both sides, state_dict keys equal, outputs and
/// gradients within 1e-5 (relative above magnitude 1).
/// </summary>
internal static class SrReference
{
    internal sealed record ModuleCase(string name, List<string> keys, bool train);

    internal sealed record LossCase(string name, string kind, List<int> layers, List<double> weights, string? distance, double? half);

    private const double Tolerance = 1e-5;

    /// <summary>
    /// Weight gradients are sums over every batch position (thousands of products here), so float32 summation order
    /// alone moves them by ~1e-5 relative (seen: 2.4e-5 on a BatchNorm critic's first conv); outputs and input
    /// gradients keep the 1e-5 bound.
    /// </summary>
    private const double ParameterGradientTolerance = 1e-4;

    private static readonly Lazy<(Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata)> Data = new(() =>
    {
        var dir = PythonReference.Run("sr_reference.py");
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(Path.Combine(dir, "sr.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every test
        return (tensors, metadata);
    });

    public static Tensor Get(string key) => Data.Value.Tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"the SR reference has no '{key}'");

    public static bool Has(string key) => Data.Value.Tensors.ContainsKey(key);

    /// <summary>Entries under <c>prefix/</c>, with the prefix stripped.</summary>
    public static Dictionary<string, Tensor> Under(string prefix) =>
        Data.Value.Tensors.Where(kv => kv.Key.StartsWith(prefix + "/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(prefix.Length + 1)..], kv => kv.Value);

    public static ModuleCase Case(string name) =>
        JsonSerializer.Deserialize<List<ModuleCase>>(Data.Value.Metadata["cases"])!.Single(c => c.name == name);

    public static LossCase Loss(string name) =>
        JsonSerializer.Deserialize<List<LossCase>>(Data.Value.Metadata["losses"])!.Single(c => c.name == name);

    public static IReadOnlyList<string> GanCases => JsonSerializer.Deserialize<List<string>>(Data.Value.Metadata["gan"])!;

    /// <summary>The full torchvision VGG's state_dict keys and shapes ("vgg16", "vgg19").</summary>
    public static List<(string Key, long[] Shape)> VggKeys(string name)
    {
        using var doc = JsonDocument.Parse(Data.Value.Metadata["vgg_keys"]);
        return doc.RootElement.GetProperty(name).EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList();
    }

    /// <summary>
    /// Loads the case's weights into <paramref name="module"/> (strict; keys in PyTorch's order), runs it on the
    /// case's input in the case's mode and checks the output, the input and parameter gradients and the state after.
    /// </summary>
    public static void AssertModuleMatches(string name, nn.Module<Tensor, Tensor> module)
    {
        var meta = Case(name);
        using var scope = torch.NewDisposeScope();
        Assert.Equal(meta.keys, module.state_dict().Keys.ToList());
        module.load_state_dict(Under($"{name}/state"));
        module.train(meta.train);
        var x = Get($"{name}/in0").clone().requires_grad_();
        var y = module.call(x);
        AssertClose($"{name}: output", Get($"{name}/out"), y);
        (y * Get($"{name}/gout")).sum().backward();
        AssertClose($"{name}: input gradient", Get($"{name}/grad/in0"), x.grad!);
        var grads = Under($"{name}/grad/param");
        foreach (var (p, t) in module.named_parameters())
        {
            using var g = t.grad;
            if (grads.TryGetValue(p, out var expected))
                AssertClose($"{name}: gradient of {p}", expected, g ?? throw new Xunit.Sdk.XunitException($"{name}: {p} has no gradient"), ParameterGradientTolerance);
            else Assert.Null(g);
        }
        var after = module.state_dict();
        foreach (var (k, expected) in Under($"{name}/after")) AssertClose($"{name}: {k} after the forward", expected, after[k]);
    }

    public static void AssertClose(string what, Tensor expected, Tensor actual, double tolerance = Tolerance)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}], PyTorch's is [{string.Join(", ", expected.shape)}]");
        using var e = expected.to(ScalarType.Float64);
        using var a = actual.detach().to(ScalarType.Float64);
        var ev = e.data<double>();
        var av = a.data<double>();
        var worst = 0.0;
        var at = -1;
        for (var i = 0; i < ev.Length; i++)
        {
            var err = Math.Abs(ev[i] - av[i]) / Math.Max(1, Math.Abs(ev[i]));
            if (double.IsNaN(err) || err > worst) (worst, at) = (err, i);
            if (double.IsNaN(err)) break;
        }
        Assert.True(worst <= tolerance && !double.IsNaN(worst), $"{what}: element {at} is {(at >= 0 ? av[at] : 0):R}, PyTorch's is {(at >= 0 ? ev[at] : 0):R} (error {worst:E2})");
    }
}
