using Workbench.Testing;
using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Tests.Models;

/// <summary>The output of tests/reference/colorize_reference.py (PyTorch 1.13), computed once per test process.</summary>
internal static class ColorizeReference
{
    private static readonly Lazy<Dictionary<string, Tensor>> Data = new(() =>
    {
        var tensors = SafeTensors.Load(Path.Combine(PythonReference.Run("colorize_reference.py"), "colorize.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every test: outlives the test scopes
        return tensors;
    });

    public static Tensor Get(string key) => Data.Value.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"the reference has no '{key}'");

    /// <summary>The entries under "case/prefix/" with that prefix removed (a state_dict).</summary>
    public static Dictionary<string, Tensor> Dict(string prefix) =>
        Data.Value.Where(kv => kv.Key.StartsWith(prefix + "/", StringComparison.Ordinal)).ToDictionary(kv => kv.Key[(prefix.Length + 1)..], kv => kv.Value);

    /// <summary>Largest absolute difference, relative to max(1, |expected|max) so large activations compare fairly.</summary>
    public static double Error(Tensor actual, Tensor expected)
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = torch.NewDisposeScope();
        var scale = Math.Max(1.0, expected.abs().max().item<float>());
        return (actual.detach() - expected).abs().max().item<float>() / scale;
    }

    /// <summary>
    /// The reference's three checks for one module: eval output, training output (batch statistics, one power
    /// iteration) with the gradient of sum(out·g) w.r.t. the first input, and the state after that forward.
    /// </summary>
    public static void CheckModule(nn.Module module, string name, Func<Tensor[], Tensor> forward, int inputs = 1, bool train = true, double tolerance = 1e-5)
    {
        using var scope = torch.NewDisposeScope();
        module.load_state_dict(Dict(name + "/state"));
        var x = Enumerable.Range(0, inputs).Select(i => Get($"{name}/in{i}").clone()).ToArray();
        module.eval();
        using (torch.no_grad()) Assert.InRange(Error(forward(x), Get(name + "/eval")), 0, tolerance);
        if (!train) return;
        module.train();
        x[0].requires_grad = true;
        var y = forward(x);
        Assert.InRange(Error(y, Get(name + "/train")), 0, tolerance);
        (y * Get(name + "/gout")).sum().backward();
        Assert.InRange(Error(x[0].grad!, Get(name + "/grad_in0")), 0, tolerance);
        var after = Dict(name + "/after");
        foreach (var (key, value) in module.state_dict())
            Assert.True(Error(value, after[key]) <= tolerance, $"{name}: {key} after the training forward differs by {Error(value, after[key]):E2}");
    }
}
