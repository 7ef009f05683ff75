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
    /// How far a float32 result may be from the float64 reference: <paramref name="floor"/>, or 8× PyTorch's own
    /// float32 error on this CPU when that is larger. Rounding error grows with the depth of the network and with
    /// the kernels a CPU picks (AVX-512 vs AVX2, 1 vs 2 threads sum in other orders); a fixed absolute 1e-5 passed
    /// on one machine and failed on another. 8× leaves room for our binding's different thread split while a
    /// module that is really wrong (an eps, a missing blur, one BatchNorm channel off by 1 %) misses by 100× or more.
    /// </summary>
    public static double Tolerance(string key, double floor)
    {
        var key64 = key + (key.EndsWith("grad_in0", StringComparison.Ordinal) ? "_64" : "64");
        return Math.Max(floor, 8 * Error(Get(key), Get(key64)));
    }

    /// <summary>Compares <paramref name="actual"/> with the float64 reference of <paramref name="key"/> within <see cref="Tolerance"/>.</summary>
    public static void AssertMatches(Tensor actual, string key, double floor)
    {
        var key64 = key + (key.EndsWith("grad_in0", StringComparison.Ordinal) ? "_64" : "64");
        var (error, tolerance) = (Error(actual, Get(key64)), Tolerance(key, floor));
        Assert.True(error <= tolerance, $"{key}: error {error:E2} vs float64 > tolerance {tolerance:E2} (PyTorch float32's own error × 8, at least {floor:E0})");
    }

    /// <summary>
    /// The reference's three checks for one module: eval output, training output (batch statistics, one power
    /// iteration) with the gradient of sum(out·g) w.r.t. the first input, and the state after that forward.
    /// Outputs and gradients are compared with the float64 reference (<see cref="AssertMatches"/>).
    /// </summary>
    public static void CheckModule(nn.Module module, string name, Func<Tensor[], Tensor> forward, int inputs = 1, bool train = true, double tolerance = 1e-5)
    {
        using var scope = torch.NewDisposeScope();
        module.load_state_dict(Dict(name + "/state"));
        CheckLoadedModule(module, name, forward, inputs, train, tolerance);
    }

    /// <summary><see cref="CheckModule"/> on a module whose weights are already in place (tests that alter them).</summary>
    public static void CheckLoadedModule(nn.Module module, string name, Func<Tensor[], Tensor> forward, int inputs = 1, bool train = true, double tolerance = 1e-5)
    {
        using var scope = torch.NewDisposeScope();
        var x = Enumerable.Range(0, inputs).Select(i => Get($"{name}/in{i}").clone()).ToArray();
        module.eval();
        using (torch.no_grad()) AssertMatches(forward(x), name + "/eval", tolerance);
        if (!train) return;
        module.train();
        x[0].requires_grad = true;
        var y = forward(x);
        AssertMatches(y, name + "/train", tolerance);
        (y * Get(name + "/gout")).sum().backward();
        AssertMatches(x[0].grad!, name + "/grad_in0", tolerance);
        var after = Dict(name + "/after");
        foreach (var (key, value) in module.state_dict())
            Assert.True(Error(value, after[key]) <= tolerance, $"{name}: {key} after the training forward differs by {Error(value, after[key]):E2}");
    }
}
