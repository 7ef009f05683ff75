using System.Text.Json;

using Workbench.Testing;
using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests;

/// <summary>
/// Op parity with PyTorch 1.13 (tests/reference/ops_reference.py): for every case, the same inputs go
/// through our Tensor API, and the outputs and the gradients of sum(out_k * g_k) must match PyTorch's.
/// </summary>
public class OpsParityTests
{
    /// <summary>float32 tolerance: absolute below 1, relative above.</summary>
    private const double Tolerance = 1e-5;

    private static readonly Dictionary<string, Func<Tensor[], Tensor[]>> Ops = new();

    private static void One(string name, Func<Tensor[], Tensor> op) => Ops.Add(name, x => new[] { op(x) });
    private static void Many(string name, Func<Tensor[], Tensor[]> op) => Ops.Add(name, op);
    private static Tensor[] Both((Tensor values, Tensor indices) r) => new[] { r.values, r.indices };
    private static long[] L(params long[] v) => v;

    static OpsParityTests()
    {
        // -- unary elementwise
        One("neg", x => -x[0]);
        One("abs", x => x[0].abs());
        One("exp", x => x[0].exp());
        One("expm1", x => x[0].expm1());
        One("log", x => x[0].log());
        One("log1p", x => x[0].log1p());
        One("log2", x => x[0].log2());
        One("log10", x => x[0].log10());
        One("sqrt", x => x[0].sqrt());
        One("rsqrt", x => x[0].rsqrt());
        One("sin", x => x[0].sin());
        One("cos", x => x[0].cos());
        One("tan", x => x[0].tan());
        One("tanh", x => x[0].tanh());
        One("sigmoid", x => x[0].sigmoid());
        One("relu", x => x[0].relu());
        One("floor", x => x[0].floor());
        One("ceil", x => x[0].ceil());
        One("round", x => x[0].round());
        One("trunc", x => x[0].trunc());
        One("frac", x => x[0].frac());
        One("sign", x => x[0].sign());
        One("reciprocal", x => x[0].reciprocal());
        One("square", x => x[0].square());
        One("erf", x => x[0].erf());
        One("asin", x => x[0].asin());
        One("acos", x => x[0].acos());
        One("atan", x => x[0].atan());
        One("sinh", x => x[0].sinh());
        One("cosh", x => x[0].cosh());
        One("logit", x => x[0].logit());
        One("softplus", x => (x[0] * 5).softplus(2, 10));
        One("leaky_relu", x => x[0].leaky_relu(0.1));
        One("silu", x => x[0].silu());
        One("gelu", x => x[0].gelu());
        One("isnan", x => x[0].isnan());
        One("isinf", x => x[0].isinf());
        One("isfinite", x => x[0].isfinite());
        // -- binary elementwise, broadcasting, scalars and operators
        One("add_alpha", x => x[0].add(x[1], 2));
        One("sub_alpha", x => x[0].sub(x[1], 0.5));
        One("mul", x => x[0] * x[1]);
        One("div", x => x[0] / x[1]);
        One("add_broadcast", x => x[0] + x[1]);
        One("mul_broadcast", x => x[0] * x[1]);
        One("pow_tensor", x => x[0].pow(x[1]));
        One("remainder", x => x[0].remainder(x[1]));
        One("fmod", x => x[0].fmod(x[1]));
        One("maximum", x => torch.maximum(x[0], x[1]));
        One("minimum", x => torch.minimum(x[0], x[1]));
        One("atan2", x => x[0].atan2(x[1]));
        One("div_floor", x => (x[0] * 3).div(x[1], "floor"));
        One("div_trunc", x => (x[0] * 3).div(x[1], "trunc"));
        One("add_scalar", x => x[0] + 2.5);
        One("rsub_scalar", x => 2.5 - x[0]);
        One("mul_scalar", x => x[0] * -3);
        One("div_scalar", x => x[0] / 4);
        One("rdiv_scalar", x => 3 / x[0]);
        One("pow_scalar", x => x[0].pow(3));
        One("rpow_scalar", x => torch.pow(2, x[0]));
        One("remainder_scalar", x => x[0] % 1.5);
        One("fmod_scalar", x => x[0].fmod(1.5));
        // -- comparisons, logic, selection
        One("eq", x => x[0].eq(x[1]));
        One("ne", x => x[0].ne(x[1]));
        One("lt", x => x[0] < x[1]);
        One("le", x => x[0] <= x[1]);
        One("gt", x => x[0] > x[1]);
        One("ge", x => x[0] >= x[1]);
        One("eq_scalar", x => x[0].eq(1));
        One("lt_scalar", x => x[0] < 0.5);
        One("ge_scalar", x => x[0] >= -1);
        Many("logical_ops", x => new[] { x[0] & x[1], x[0] | x[1], x[0] ^ x[1], !x[0] });
        Many("bitwise_ops", x => new[] { x[0] & x[1], x[0] | x[1], x[0] ^ x[1] });
        One("where", x => torch.where(x[0] > 0, x[0], x[1]));
        One("clamp", x => x[0].clamp(-0.5, 0.5));
        One("clamp_min", x => x[0].clamp(min: 0));
        One("clamp_max", x => x[0].clamp(max: 0.2));
        One("masked_fill", x => x[0].masked_fill(x[1], 0.5));
        One("masked_select", x => x[0].masked_select(x[1]));
        One("lerp", x => torch.lerp(x[0], x[1], 0.3));
        One("addcmul", x => x[0].addcmul(x[1], x[2], 0.5));
        One("addcdiv", x => x[0].addcdiv(x[1], x[2], 0.5));
        // -- reductions
        One("sum", x => x[0].sum());
        One("sum_dims_keepdim", x => x[0].sum(L(0, 2), keepdim: true));
        One("sum_dtype", x => x[0].sum(L(1), dtype: ScalarType.Float64));
        One("mean", x => x[0].mean());
        One("mean_dim", x => x[0].mean(1, keepdim: true));
        One("var", x => x[0].var());
        One("var_dim_biased", x => x[0].var(1, unbiased: false));
        One("std_dims", x => x[0].std(L(0, 2), keepdim: true));
        One("max_all", x => x[0].max());
        One("min_all", x => x[0].min());
        Many("max_dim", x => Both(x[0].max(1)));
        Many("min_dim_keepdim", x => Both(x[0].min(0, keepdim: true)));
        One("argmax", x => x[0].argmax());
        One("argmax_dim", x => x[0].argmax(1, keepdim: true));
        One("argmin_dim", x => x[0].argmin(0));
        One("amax", x => x[0].amax(L(0, 2)));
        One("amin", x => x[0].amin(L(1), keepdim: true));
        One("norm", x => x[0].norm());
        One("norm_p1_dim", x => x[0].norm(1, L(1)));
        One("norm_p3_dims", x => x[0].norm(3, L(0, 1), keepdim: true));
        One("logsumexp", x => x[0].logsumexp(1));
        One("cumsum", x => x[0].cumsum(1));
        One("prod", x => x[0].prod());
        One("prod_dim", x => x[0].prod(1, keepdim: true));
        Many("all_any", x => new[] { x[0].all(), x[0].any(), (x[0] | torch.tensor(true)).all() });
        One("count_nonzero", x => x[0].count_nonzero());
        Many("sort", x => Both(x[0].sort(1, descending: true)));
        Many("topk", x => Both(x[0].topk(2, 1)));
        // -- shapes
        One("reshape", x => x[0].reshape(2, 6));
        One("view_infer", x => x[0].view(2, -1));
        One("permute", x => x[0].permute(2, 0, 1));
        One("transpose", x => x[0].transpose(0, 2));
        One("t", x => x[0].t());
        One("squeeze", x => x[0].squeeze());
        One("squeeze_dim", x => x[0].squeeze(1));
        One("unsqueeze", x => x[0].unsqueeze(1));
        One("expand", x => x[0].expand(3, 2, 4));
        One("repeat", x => x[0].repeat(2, 1, 3));
        One("flatten", x => x[0].flatten(1));
        One("unflatten", x => x[0].unflatten(1, 2, 2));
        One("narrow", x => x[0].narrow(1, 1, 3));
        One("select", x => x[0].select(1, 2));
        One("slice_step", x => x[0].slice(1, 1, 6, 2));
        One("index_select", x => x[0].index_select(0, x[1]));
        One("gather", x => x[0].gather(1, x[1]));
        One("scatter", x => x[0].scatter(1, x[1], x[2]));
        One("flip", x => x[0].flip(0, 1));
        One("roll", x => x[0].roll(1, 1));
        One("roll_dims", x => x[0].roll(L(1, -2), L(0, 1)));
        Many("tril_triu", x => new[] { x[0].tril(), x[0].triu(1) });
        One("cat", x => torch.cat(new[] { x[0], x[1] }, 1));
        One("stack", x => torch.stack(new[] { x[0], x[1] }, 1));
        Many("split", x => x[0].split(2, 1));
        Many("split_sizes", x => x[0].split(L(1, 4), 1));
        Many("chunk", x => x[0].chunk(3, 0));
        Many("unbind", x => x[0].unbind(1));
        One("expand_as_contiguous", x => x[0].expand_as(x[1]).t().contiguous() * x[1].t());
        // -- indexing
        One("index_int", x => x[0][1]);
        One("index_negative_range", x => x[0][-1, 1..^1]);
        One("index_range_step", x => x[0][1..4, TensorIndex.Slice(step: 2)]);
        One("index_from_end", x => x[0][^2.., ..^4]);
        One("index_empty_tail", x => x[0][^0..]);
        One("index_none", x => x[0][TensorIndex.None, .., 1]);
        One("index_ellipsis", x => x[0][TensorIndex.Ellipsis, 0]);
        One("index_mask", x => x[0][x[1]]);
        One("index_tensor", x => x[0][x[1]]);
        One("index_tensor_and_slice", x => x[0][.., x[1]][1..]);
        One("index_tensor_pair", x => x[0][x[1], x[2]]);
        One("index_put_slice", x =>
        {
            var y = x[0].clone();
            y[1..3, 0] = x[1];
            return y;
        });
        One("index_put_mask", x => x[0].clone().index_put_(0.5, x[1]));
        One("index_put_tensor", x =>
        {
            var y = x[0].clone();
            y[torch.tensor(new long[] { 0, 2 })] = x[1];
            return y;
        });
        // -- linear algebra
        One("matmul", x => x[0].matmul(x[1]));
        One("matmul_batched_broadcast", x => x[0].matmul(x[1]));
        One("matmul_vector", x => x[0].matmul(x[1]));
        One("mm", x => x[0].mm(x[1]));
        One("bmm", x => x[0].bmm(x[1]));
        One("dot", x => x[0].dot(x[1]));
        One("outer", x => x[0].outer(x[1]));
        One("einsum_batched", x => torch.einsum("bij,bjk->bik", x[0], x[1]));
        One("einsum_rowdot", x => torch.einsum("ij,ij->i", x[0], x[1]));
        One("addmm", x => torch.addmm(x[0], x[1], x[2], beta: 0.5, alpha: 2));
        // -- autograd behaviour
        One("detach", x => x[0] * x[0].detach());
        One("no_grad_inside", x =>
        {
            Tensor y;
            using (torch.no_grad()) y = x[0] * 2;
            return x[0] * y;
        });
        One("second_derivative", x =>
        {
            var dx = torch.autograd.grad(new[] { x[0].pow(3).sum() }, new[] { x[0] }, create_graph: true)[0]!;
            return dx * x[0];
        });
        One("gradient_penalty", x =>
        {
            var critic = x[0].matmul(x[1]).tanh().sum();
            var gx = torch.autograd.grad(new[] { critic }, new[] { x[0] }, create_graph: true)[0]!;
            return (gx.norm(2, L(1)) - 1).pow(2).mean();
        });
        // -- dtypes
        One("f64_ops", x => x[0].matmul(x[1]).sigmoid().sum(0));
        Many("i64_arith", x => new[] { x[0] + x[1], x[0] * 3, x[0] - x[1], x[0] % x[1], x[0].div(x[1], "floor"), x[0].div(torch.tensor(3L), "floor") });
        One("i64_true_div", x => x[0] / x[1]);
        Many("i64_reduce", x => new[] { x[0].sum(), x[0].sum(1), x[0].max(), x[0].argmax(0), x[0].cumsum(1), x[0].prod(1) });
        One("i64_clamp", x => x[0].clamp(-10, 20));
        One("i64_to_float", x => x[0].@float());
        Many("bool_ops", x => new[] { x[0].sum(), x[0].@float(), x[0].@long(), x[0].to(ScalarType.UInt8) });
        Many("u8_wrap", x => new[] { x[0] + x[1], x[0] * 2, x[0] - x[1] });
        One("u8_to_float", x => x[0].@float() / 255);
        Many("promote_int_float", x => new[] { x[0] + x[1], x[0] * 2.5, x[0].@float() * x[1] });
        One("to_f16", x => (x[0] * 100).half());
        One("to_bf16", x => (x[0] * 100).bfloat16());
        Many("f16_roundtrip", x => new[] { x[0].@float() * 3, x[0] + x[0], x[0].to(ScalarType.Float64) });
        Many("bf16_roundtrip", x => new[] { x[0].@float() * 3, x[0] + x[0], x[0].to(ScalarType.Float64) });
        Many("float_to_int", x => new[] { (x[0] * 10).@long(), (x[0] * 10).@int(), (x[0] * 10).to(ScalarType.Int16), (x[0] * 30).to(ScalarType.Int8), x[0] > 0 });
    }

    private static readonly Lazy<(Dictionary<string, Tensor> Tensors, List<string> Cases)> Reference = new(() =>
    {
        var dir = PythonReference.Run("ops_reference.py");
        var (tensors, metadata) = SafeTensors.LoadWithMetadata(Path.Combine(dir, "ops.safetensors"));
        foreach (var t in tensors.Values) t.DetachFromDisposeScope(); // shared by every case: outlives the test scopes
        return (tensors, JsonSerializer.Deserialize<List<string>>(metadata["cases"])!);
    });

    public static TheoryData<string> CaseNames => new(Ops.Keys);

    [Fact]
    public void CoversEveryReferenceCaseAndNoOther()
    {
        var python = Reference.Value.Cases;
        Assert.True(python.Count >= 60, $"only {python.Count} cases");
        Assert.Equal(python, Ops.Keys.ToList());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void MatchesPyTorch(string name)
    {
        var reference = Reference.Value.Tensors;
        Tensor? Get(string key) => reference.TryGetValue($"{name}/{key}", out var t) ? t : null;
        using var scope = torch.NewDisposeScope();

        var inputs = new List<Tensor>();
        for (var i = 0; Get($"in{i}") is { } input; i++)
            inputs.Add(Get($"grad{i}") is null ? input.clone() : input.clone().requires_grad_());
        var outputs = Ops[name](inputs.ToArray());

        var expectedCount = Enumerable.Range(0, 64).TakeWhile(k => Get($"out{k}") is not null).Count();
        Assert.Equal(expectedCount, outputs.Length);
        Tensor? loss = null;
        for (var k = 0; k < outputs.Length; k++)
        {
            AssertMatches($"{name}: out{k}", Get($"out{k}")!, outputs[k]);
            var g = Get($"g{k}");
            Assert.True(outputs[k].requires_grad == g is not null, $"{name}: out{k}.requires_grad is {outputs[k].requires_grad}, PyTorch's is {g is not null}");
            if (g is not null) loss = loss is null ? (outputs[k] * g).sum() : loss + (outputs[k] * g).sum();
        }
        if (loss is null) return;

        loss.backward();
        for (var i = 0; i < inputs.Count; i++)
        {
            if (Get($"grad{i}") is not { } expected) continue;
            AssertMatches($"{name}: grad of in{i}", expected, inputs[i].grad ?? torch.zeros_like(inputs[i]));
        }
    }

    private static void AssertMatches(string what, Tensor expected, Tensor actual)
    {
        Assert.True(expected.dtype == actual.dtype, $"{what}: dtype {actual.dtype.TorchName()}, PyTorch's is {expected.dtype.TorchName()}");
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}], PyTorch's is [{string.Join(", ", expected.shape)}]");
        if (!expected.is_floating_point())
        {
            using var e = expected.to(ScalarType.Int64);
            using var a = actual.to(ScalarType.Int64);
            Assert.True(e.data<long>().SequenceEqual(a.data<long>()), $"{what}: {actual} != PyTorch's {expected}");
            return;
        }
        using var ed = expected.to(ScalarType.Float64);
        using var ad = actual.detach().to(ScalarType.Float64);
        var ev = ed.data<double>();
        var av = ad.data<double>();
        for (var i = 0; i < ev.Length; i++)
        {
            var ok = double.IsNaN(ev[i]) ? double.IsNaN(av[i]) : ev[i] == av[i] || Math.Abs(ev[i] - av[i]) <= Tolerance * Math.Max(1, Math.Abs(ev[i]));
            Assert.True(ok, $"{what}: element {i} is {av[i]:R}, PyTorch's is {ev[i]:R}\nours:    {actual}\nPyTorch: {expected}");
        }
    }
}
