using System.Text.Json.Nodes;

using Workbench.Testing;
using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Optim;

/// <summary>
/// The trajectories written by tests/reference/optim_reference.py (PyTorch 1.13), and the same optimizer
/// configurations built through our API.
/// </summary>
internal static class OptimReference
{
    public const double Tolerance = 1e-6;

    public static string Dir => PythonReference.Run("optim_reference.py");

    public static JsonObject Index => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "optimizers.json")))!;

    public static JsonObject Schedulers => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Dir, "schedulers.json")))!;

    public static int Steps => Index["steps"]!.GetValue<int>();
    public static int MidStep => Index["mid_step"]!.GetValue<int>();

    public static TheoryData<string> Names(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var (name, config) in Index["configs"]!.AsObject())
            if (config!["kind"]!.GetValue<string>() == kind) data.Add(name);
        return data;
    }

    /// <summary>Tensors (in the current dispose scope) and metadata of one configuration's file.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Load(string name) =>
        SafeTensors.LoadWithMetadata(Path.Combine(Dir, $"optim_{name}.safetensors"));

    /// <summary>Builds the configuration's optimizer with the C# API (named arguments, ParamGroup overrides).</summary>
    public static optim.Optimizer Make(string name, IReadOnlyList<Tensor> ps)
    {
        var config = Index["configs"]![name]!;
        var kind = config["kind"]!.GetValue<string>();
        var kw = config["kwargs"]!.AsObject();
        double? D(JsonObject o, string k) => o[k]?.GetValue<double>();
        bool? B(JsonObject o, string k) => o[k]?.GetValue<bool>();
        (double, double)? Betas(JsonObject o) => o["betas"] is JsonArray a ? (a[0]!.GetValue<double>(), a[1]!.GetValue<double>()) : null;

        if (config["groups"] is JsonArray groups)
        {
            var pgs = groups.Select((g, i) => new optim.ParamGroup(new[] { ps[i] }, lr: D(g!.AsObject(), "lr"), weight_decay: D(g.AsObject(), "weight_decay"),
                momentum: D(g.AsObject(), "momentum"), betas: Betas(g.AsObject()))).ToArray();
            return kind switch
            {
                "SGD" => new optim.SGD(pgs, lr: D(kw, "lr"), momentum: D(kw, "momentum") ?? 0),
                "Adam" => new optim.Adam(pgs, lr: D(kw, "lr") ?? 1e-3, betas: Betas(kw)),
                _ => throw new NotSupportedException(kind),
            };
        }
        return kind switch
        {
            "SGD" => new optim.SGD(ps, lr: D(kw, "lr")!.Value, momentum: D(kw, "momentum") ?? 0, dampening: D(kw, "dampening") ?? 0,
                weight_decay: D(kw, "weight_decay") ?? 0, nesterov: B(kw, "nesterov") ?? false, maximize: B(kw, "maximize") ?? false),
            "Adam" => new optim.Adam(ps, lr: D(kw, "lr") ?? 1e-3, betas: Betas(kw), eps: D(kw, "eps") ?? 1e-8,
                weight_decay: D(kw, "weight_decay") ?? 0, amsgrad: B(kw, "amsgrad") ?? false, maximize: B(kw, "maximize") ?? false),
            "AdamW" => new optim.AdamW(ps, lr: D(kw, "lr") ?? 1e-3, betas: Betas(kw), eps: D(kw, "eps") ?? 1e-8,
                weight_decay: D(kw, "weight_decay") ?? 1e-2, amsgrad: B(kw, "amsgrad") ?? false, maximize: B(kw, "maximize") ?? false),
            _ => throw new NotSupportedException(kind),
        };
    }

    /// <summary>Fresh leaf parameters holding the reference's initial values.</summary>
    public static Tensor[] InitialParams(Dictionary<string, Tensor> r) =>
        new[] { r["init.0"].clone().requires_grad_(), r["init.1"].clone().requires_grad_() };

    /// <summary>Sets the reference's gradients for <paramref name="step"/> (none where PyTorch had none).</summary>
    public static void SetGrads(Dictionary<string, Tensor> r, Tensor[] ps, int step)
    {
        for (var i = 0; i < ps.Length; i++)
            ps[i].grad = r.TryGetValue($"grad.{step}.{i}", out var g) ? g.clone() : null;
    }

    public static double MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(b.shape, a.shape);
        using var d = (a.detach() - b).abs().max();
        return d.item<double>();
    }

    /// <summary>Compares params after each step and the final state; returns the largest difference seen.</summary>
    public static double RunAndCompare(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (r, meta) = Load(name);
        var ps = InitialParams(r);
        using var opt = Make(name, ps);
        var worst = 0.0;
        for (var s = 0; s < Steps; s++)
        {
            SetGrads(r, ps, s);
            opt.step();
            for (var i = 0; i < ps.Length; i++) worst = Math.Max(worst, MaxAbsDiff(ps[i], r[$"param.{s}.{i}"]));
        }
        using var sd = opt.state_dict();
        worst = Math.Max(worst, CompareState(sd, r, meta["param_groups"], ""));
        return worst;
    }

    /// <summary>Our state_dict against PyTorch's: same entries, same values, same hyperparameters.</summary>
    public static double CompareState(optim.OptimizerStateDict sd, Dictionary<string, Tensor> r, string pyGroupsJson, string prefix)
    {
        var ours = sd.ToTensors(prefix);
        var theirs = r.Keys.Where(k => k.StartsWith(prefix + "state.", StringComparison.Ordinal)).OrderBy(k => k, StringComparer.Ordinal).ToList();
        Assert.Equal(theirs, ours.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList());
        var worst = 0.0;
        foreach (var k in theirs)
        {
            Assert.Equal(r[k].dtype, ours[k].dtype);
            worst = Math.Max(worst, MaxAbsDiff(ours[k], r[k]));
        }
        var pyGroups = JsonNode.Parse(pyGroupsJson)!["param_groups"]!.AsArray();
        Assert.Equal(pyGroups.Count, sd.param_groups.Count);
        for (var g = 0; g < pyGroups.Count; g++)
        {
            var mine = sd.param_groups[g]!.AsObject();
            foreach (var (key, value) in mine)
                Assert.True(JsonNode.DeepEquals(Numeric(pyGroups[g]![key]), Numeric(value)), $"group {g} '{key}': ours {value?.ToJsonString()}, PyTorch {pyGroups[g]![key]?.ToJsonString()}");
        }
        return worst;
    }

    // Python writes weight_decay=0 as 0 and we write 0.0 as 0; booleans and lists compare as they are.
    private static JsonNode? Numeric(JsonNode? n) => n is JsonValue v && v.TryGetValue<double>(out var d) ? JsonValue.Create(d) : n?.DeepClone();
}
