using F = Workbench.Torch.nn.functional;

namespace Workbench.Torch.Tests;

/// <summary>
/// Parity of the nn layer with PyTorch 1.13 (tests/reference/nn_reference.py). Module cases check, in order:
/// default init under the same seed (bit for bit), state_dict key names and order, load_state_dict(strict),
/// the printed module, the forward output, input and parameter gradients, and the state after the forward
/// (BatchNorm running statistics, spectral norm's u and v). Functional cases check outputs and gradients.
/// </summary>
[Collection(GlobalRngCollection.Name)]
public class NnParityTests
{
    /// <summary>float32 tolerance: absolute below 1, relative above.</summary>
    private const double Tolerance = 1e-5;

    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Modules = new()
    {
        ["conv2d"] = () => new nn.Conv2d(3, 8, 3, padding: 1),
        ["conv2d_stride_dilation_nobias"] = () => new nn.Conv2d(4, 6, (3, 5), stride: 2, padding: (2, 1), dilation: (2, 1), bias: false),
        ["conv2d_groups"] = () => new nn.Conv2d(4, 8, 3, groups: 2),
        ["conv2d_reflect"] = () => new nn.Conv2d(3, 5, 3, padding: 1, padding_mode: "reflect"),
        ["conv2d_replicate"] = () => new nn.Conv2d(3, 5, 3, padding: (2, 1), padding_mode: "replicate"),
        ["conv2d_circular"] = () => new nn.Conv2d(3, 5, 3, padding: 1, padding_mode: "circular"),
        ["conv2d_same_even_kernel"] = () => new nn.Conv2d(3, 4, 4, padding: "same"),
        ["conv2d_same_reflect_dilated"] = () => new nn.Conv2d(3, 4, 3, padding: "same", dilation: 2, padding_mode: "reflect"),
        ["conv2d_valid"] = () => new nn.Conv2d(3, 4, 3, padding: "valid"),
        ["conv1d"] = () => new nn.Conv1d(4, 6, 3, padding: 1),
        ["conv_transpose2d"] = () => new nn.ConvTranspose2d(4, 3, 4, stride: 2, padding: 1),
        ["conv_transpose2d_outpad_groups"] = () => new nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, output_padding: 1, groups: 2, bias: false),
        ["linear"] = () => new nn.Linear(10, 7),
        ["linear_nobias_3d"] = () => new nn.Linear(6, 3, bias: false),
        ["batchnorm2d_train"] = () => new nn.BatchNorm2d(5),
        ["batchnorm2d_train_cumulative"] = () => new nn.BatchNorm2d(5, momentum: null),
        ["batchnorm2d_eval"] = () => new nn.BatchNorm2d(5),
        ["batchnorm2d_noaffine_nostats_eval"] = () => new nn.BatchNorm2d(5, affine: false, track_running_stats: false),
        ["batchnorm1d_train"] = () => new nn.BatchNorm1d(6, eps: 1e-3, momentum: 0.3),
        ["instancenorm2d"] = () => new nn.InstanceNorm2d(4),
        ["instancenorm2d_affine_stats_train"] = () => new nn.InstanceNorm2d(4, affine: true, track_running_stats: true),
        ["instancenorm2d_affine_stats_eval"] = () => new nn.InstanceNorm2d(4, affine: true, track_running_stats: true),
        ["groupnorm"] = () => new nn.GroupNorm(2, 6),
        ["layernorm"] = () => new nn.LayerNorm(new long[] { 6, 5 }),
        ["dropout_train"] = () => new nn.Dropout(0.3),
        ["dropout_eval"] = () => new nn.Dropout(0.3),
        ["dropout2d_train"] = () => new nn.Dropout2d(0.5),
        ["relu"] = () => new nn.ReLU(),
        ["leaky_relu"] = () => new nn.LeakyReLU(0.2),
        ["prelu_channels"] = () => new nn.PReLU(3),
        ["sigmoid"] = () => new nn.Sigmoid(),
        ["tanh"] = () => new nn.Tanh(),
        ["silu"] = () => new nn.SiLU(),
        ["identity"] = () => new nn.Identity(),
        ["flatten"] = () => new nn.Flatten(),
        ["pixel_shuffle"] = () => new nn.PixelShuffle(2),
        ["pixel_unshuffle"] = () => new nn.PixelUnshuffle(2),
        ["upsample_nearest"] = () => new nn.Upsample(scale_factor: 2),
        ["upsample_nearest_size"] = () => new nn.Upsample(size: (7, 9)),
        ["upsample_nearest_fractional"] = () => new nn.Upsample(scale_factor: 1.5),
        ["upsample_bilinear"] = () => new nn.Upsample(scale_factor: 2, mode: "bilinear"),
        ["upsample_bilinear_align_corners"] = () => new nn.Upsample(size: (9, 7), mode: "bilinear", align_corners: true),
        ["upsample_bicubic"] = () => new nn.Upsample(scale_factor: 3, mode: "bicubic"),
        ["upsample_bicubic_align_corners"] = () => new nn.Upsample(size: (6, 11), mode: "bicubic", align_corners: true),
        ["upsample_bicubic_antialias_down"] = () => new nn.Upsample(size: (5, 7), mode: "bicubic", align_corners: false, antialias: true),
        ["upsample_bilinear_antialias_down"] = () => new nn.Upsample(scale_factor: 0.25, mode: "bilinear", align_corners: false, antialias: true),
        ["maxpool2d"] = () => new nn.MaxPool2d(2),
        ["maxpool2d_ceil_padding"] = () => new nn.MaxPool2d(3, stride: 2, padding: 1, ceil_mode: true),
        ["avgpool2d"] = () => new nn.AvgPool2d(2),
        ["avgpool2d_no_pad_count"] = () => new nn.AvgPool2d(3, stride: 2, padding: 1, count_include_pad: false),
        ["adaptive_avgpool2d"] = () => new nn.AdaptiveAvgPool2d((3, 2)),
        ["adaptive_avgpool2d_global"] = () => new nn.AdaptiveAvgPool2d(1),
        ["embedding"] = () => new nn.Embedding(10, 4, padding_idx: 0),
        ["sequential_conv_bn_relu"] = () => new nn.Sequential(new nn.Conv2d(3, 8, 3, padding: 1), new nn.BatchNorm2d(8), new nn.ReLU(),
            new nn.Conv2d(8, 4, 1)),
        ["composite_modulelist"] = () => new Composite(),
        ["spectral_norm_conv2d_train"] = () => nn.utils.spectral_norm(new nn.Conv2d(3, 8, 3)),
        ["spectral_norm_conv2d_eval"] = () => nn.utils.spectral_norm(new nn.Conv2d(3, 8, 3)),
        ["spectral_norm_linear_3_iterations"] = () => nn.utils.spectral_norm(new nn.Linear(12, 5), n_power_iterations: 3),
        ["spectral_norm_conv_transpose2d"] = () => nn.utils.spectral_norm(new nn.ConvTranspose2d(4, 6, 3, stride: 2)),
        ["self_attention_train"] = () => new nn.SelfAttention(16),
        ["self_attention_eval"] = () => new nn.SelfAttention(16),
    };

    /// <summary>Cases whose Python side is a stand-in class (F.interpolate with antialias), so the printed form differs.</summary>
    private static readonly HashSet<string> ReprDiffers = new() { "upsample_bicubic_antialias_down", "upsample_bilinear_antialias_down" };

    private static readonly Dictionary<string, Func<Tensor[], Tensor>> Functional = new()
    {
        ["pad_constant"] = x => F.pad(x[0], new long[] { 1, 2, 0, 3 }, value: 1.5),
        ["pad_reflect"] = x => F.pad(x[0], new long[] { 2, 1, 3, 2 }, "reflect"),
        ["pad_replicate"] = x => F.pad(x[0], new long[] { 2, 1, 3, 2 }, "replicate"),
        ["pad_circular"] = x => F.pad(x[0], new long[] { 2, 1, 3, 2 }, "circular"),
        ["pad_negative_crop"] = x => F.pad(x[0], new long[] { -1, 0, -2, 1 }),
        ["interpolate_nearest_scale"] = x => F.interpolate(x[0], scale_factor: 2),
        ["interpolate_nearest_down"] = x => F.interpolate(x[0], size: (4, 3)),
        ["interpolate_nearest_exact"] = x => F.interpolate(x[0], size: (4, 5), mode: "nearest-exact"),
        ["interpolate_bilinear_fractional"] = x => F.interpolate(x[0], scale_factor: 1.7, mode: "bilinear"),
        ["interpolate_bilinear_recompute"] = x => F.interpolate(x[0], scale_factor: 1.7, mode: "bilinear", recompute_scale_factor: true),
        ["interpolate_bilinear_two_scales"] = x => F.interpolate(x[0], scale_factor: (2.0, 0.5), mode: "bilinear"),
        ["interpolate_bilinear_align_corners"] = x => F.interpolate(x[0], size: (8, 3), mode: "bilinear", align_corners: true),
        ["interpolate_bicubic_scale"] = x => F.interpolate(x[0], scale_factor: 2, mode: "bicubic"),
        ["interpolate_bicubic_align_corners"] = x => F.interpolate(x[0], size: (9, 4), mode: "bicubic", align_corners: true),
        ["interpolate_bilinear_antialias"] = x => F.interpolate(x[0], size: (6, 8), mode: "bilinear", antialias: true),
        ["interpolate_bicubic_antialias"] = x => F.interpolate(x[0], scale_factor: 0.3, mode: "bicubic", antialias: true),
        ["interpolate_bicubic_antialias_up"] = x => F.interpolate(x[0], size: (9, 10), mode: "bicubic", antialias: true),
        ["interpolate_area"] = x => F.interpolate(x[0], size: (4, 3), mode: "area"),
        ["softmax"] = x => F.softmax(x[0], dim: 1),
        ["log_softmax"] = x => F.log_softmax(x[0], dim: -1),
        ["mse_loss"] = x => F.mse_loss(x[0], x[1]),
        ["mse_loss_sum"] = x => F.mse_loss(x[0], x[1], reduction: "sum"),
        ["mse_loss_none"] = x => F.mse_loss(x[0], x[1], reduction: "none"),
        ["l1_loss"] = x => F.l1_loss(x[0], x[1]),
        ["l1_loss_sum"] = x => F.l1_loss(x[0], x[1], reduction: "sum"),
        ["l1_loss_none"] = x => F.l1_loss(x[0], x[1], reduction: "none"),
        ["smooth_l1_loss"] = x => F.smooth_l1_loss(x[0], x[1], beta: 0.5),
        ["smooth_l1_loss_beta0"] = x => F.smooth_l1_loss(x[0], x[1], beta: 0.0, reduction: "sum"),
        ["huber_loss"] = x => F.huber_loss(x[0], x[1], delta: 0.7, reduction: "none"),
        ["binary_cross_entropy"] = x => F.binary_cross_entropy(x[0], x[1]),
        ["binary_cross_entropy_weight_sum"] = x => F.binary_cross_entropy(x[0], x[1], weight: x[2], reduction: "sum"),
        ["binary_cross_entropy_with_logits"] = x => F.binary_cross_entropy_with_logits(x[0], x[1]),
        ["binary_cross_entropy_with_logits_pos_weight"] = x => F.binary_cross_entropy_with_logits(x[0], x[1], pos_weight: x[2]),
        ["binary_cross_entropy_with_logits_weight_none"] = x => F.binary_cross_entropy_with_logits(x[0], x[1], weight: x[2], reduction: "none"),
        ["cross_entropy"] = x => F.cross_entropy(x[0], x[1]),
        ["cross_entropy_ignore_index"] = x => F.cross_entropy(x[0], x[1]),
        ["cross_entropy_ignore_index_custom"] = x => F.cross_entropy(x[0], x[1], ignore_index: 2),
        ["cross_entropy_label_smoothing"] = x => F.cross_entropy(x[0], x[1], label_smoothing: 0.1),
        ["cross_entropy_smoothing_ignore_weight"] = x => F.cross_entropy(x[0], x[1], weight: x[2], label_smoothing: 0.2),
        ["cross_entropy_2d_sum"] = x => F.cross_entropy(x[0], x[1], reduction: "sum"),
        ["cross_entropy_none"] = x => F.cross_entropy(x[0], x[1], reduction: "none"),
        ["cross_entropy_probabilities"] = x => F.cross_entropy(x[0], x[1]),
        ["nll_loss"] = x => F.nll_loss(F.log_softmax(x[0], 1), x[1]),
        ["kl_div_batchmean"] = x => F.kl_div(F.log_softmax(x[0], 1), x[1], reduction: "batchmean"),
        ["gaussian_blur_5"] = x => F.gaussian_blur(x[0], 5, 1.5),
        ["gaussian_blur_3x7"] = x => F.gaussian_blur(x[0], 3, 7, 0.8, 2.0),
        ["gaussian_blur_default_sigma"] = x => F.gaussian_blur(x[0], 5),
        ["grid_sample_bilinear"] = x => F.grid_sample(x[0], x[1], align_corners: false),
        ["grid_sample_nearest_border"] = x => F.grid_sample(x[0], x[1], mode: "nearest", padding_mode: "border", align_corners: false),
        ["grid_sample_bicubic_reflection"] = x => F.grid_sample(x[0], x[1], mode: "bicubic", padding_mode: "reflection", align_corners: true),
        ["affine_grid"] = x => F.affine_grid(x[0], new long[] { 2, 3, 4, 5 }, align_corners: false),
        ["unfold"] = x => F.unfold(x[0], (2, 3), dilation: 1, padding: 1, stride: (2, 1)),
        ["fold"] = x => F.fold(x[0], (4, 5), (2, 2), padding: 0, stride: 1),
        ["normalize"] = x => F.normalize(x[0], dim: 1),
        ["conv2d_functional"] = x => F.conv2d(x[0], x[1], x[2], stride: 1, padding: 1, groups: 2),
        ["linear_functional"] = x => F.linear(x[0], x[1], x[2]),
        ["embedding_functional"] = x => F.embedding(x[0], x[1], padding_idx: -1),
        ["dropout_functional"] = x => F.dropout(x[0], 0.4, training: true),
        ["leaky_relu_functional"] = x => F.leaky_relu(x[0], 0.1),
        ["prelu_functional"] = x => F.prelu(x[0], x[1]),
        ["relu6"] = x => F.relu6(x[0]),
        ["gelu_tanh"] = x => F.gelu(x[0], approximate: "tanh"),
        ["elu"] = x => F.elu(x[0], 0.5),
        ["hardswish"] = x => F.hardswish(x[0]),
        ["mish"] = x => F.mish(x[0]),
        ["max_pool2d_functional"] = x => F.max_pool2d(x[0], 3, stride: 2, dilation: 2),
        ["adaptive_max_pool2d"] = x => F.adaptive_max_pool2d(x[0], (3, 2)),
        ["batch_norm_functional_train"] = x => F.batch_norm(x[0], null, null, x[1], x[2], training: true),
        ["group_norm_functional"] = x => F.group_norm(x[0], 3),
    };

    /// <summary>The Python side's Composite: nested Sequential, ModuleList and a head, so names are "stem.1.running_mean", "blocks.0.weight".</summary>
    internal sealed class Composite : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Sequential stem;
        private readonly nn.ModuleList<nn.Conv2d> blocks;
        private readonly nn.Conv2d head;

        public Composite()
        {
            stem = register_module("stem", new nn.Sequential(new nn.Conv2d(3, 8, 3, padding: 1), new nn.BatchNorm2d(8), new nn.ReLU()));
            blocks = register_module("blocks", new nn.ModuleList<nn.Conv2d>(new nn.Conv2d(8, 8, 3, padding: 1), new nn.Conv2d(8, 8, 1)));
            head = register_module("head", new nn.Conv2d(8, 2, 1));
        }

        public override Tensor forward(Tensor input)
        {
            using var scope = torch.NewDisposeScope();
            var x = stem.call(input);
            foreach (var b in blocks) x = F.leaky_relu(b.call(x), 0.2) + x;
            return head.call(x).MoveToOuterDisposeScope();
        }
    }

    public static TheoryData<string> ModuleCaseNames => new(Modules.Keys);
    public static TheoryData<string> FunctionalCaseNames => new(Functional.Keys);

    [Fact]
    public void CoversEveryReferenceCaseAndNoOther()
    {
        Assert.Equal(NnReference.Modules.Select(m => m.name), Modules.Keys);
        Assert.Equal(NnReference.Functional.Select(f => f.name), Functional.Keys);
    }

    [Theory]
    [MemberData(nameof(ModuleCaseNames))]
    public void ModuleMatchesPyTorch(string name)
    {
        var reference = NnReference.Tensors;
        var meta = NnReference.Modules.Single(m => m.name == name);
        Tensor? Get(string key) => reference.TryGetValue($"{name}/{key}", out var t) ? t : null;
        Dictionary<string, Tensor> Prefixed(string prefix) =>
            reference.Where(kv => kv.Key.StartsWith($"{name}/{prefix}/", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[(name.Length + prefix.Length + 2)..], kv => kv.Value);
        using var scope = torch.NewDisposeScope();

        // Default init draws the same numbers from the same generator as PyTorch.
        torch.manual_seed(meta.seed);
        using var module = Modules[name]();
        var init = module.state_dict();
        Assert.Equal(meta.keys, init.Keys.ToList());
        foreach (var (key, expected) in Prefixed("init")) AssertMatches($"{name}: init {key}", expected, init[key], exact: true);
        if (!ReprDiffers.Contains(name)) Assert.Equal(meta.repr, module.ToString());

        var loaded = module.load_state_dict(Prefixed("state"), strict: true);
        Assert.Empty(loaded.missing_keys);
        Assert.Empty(loaded.unexpected_keys);
        Assert.Equal(meta.parameters, module.named_parameters().Select(p => p.name).ToList());
        module.train(meta.train);

        var inputs = new List<Tensor>();
        for (var i = 0; Get($"in{i}") is { } input; i++)
            inputs.Add(meta.grad_inputs.Contains(i) ? input.clone().requires_grad_() : input.clone());
        if (meta.seed_forward is long s) torch.manual_seed(s);
        var output = module.call(inputs.Single());
        AssertMatches($"{name}: output", Get("out")!, output);
        (output * Get("gout")!).sum().backward();

        foreach (var i in meta.grad_inputs) AssertMatches($"{name}: grad of in{i}", Get($"grad/in{i}")!, inputs[i].grad!);
        foreach (var (pname, p) in module.named_parameters())
        {
            var expected = Get($"grad/{pname}");
            using var actual = p.grad;
            if (expected is null) Assert.Null(actual);
            else AssertMatches($"{name}: grad of {pname}", expected, actual ?? throw new Xunit.Sdk.XunitException($"{name}: {pname} has no gradient"));
        }
        var after = module.state_dict();
        foreach (var (key, expected) in Prefixed("after")) AssertMatches($"{name}: {key} after the forward", expected, after[key]);
        foreach (var (attr, expected) in Prefixed("attr"))
        {
            var actual = module.GetTensor(attr) ?? throw new Xunit.Sdk.XunitException($"{name}: no attribute {attr}");
            AssertMatches($"{name}: attribute {attr}", expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(FunctionalCaseNames))]
    public void FunctionalMatchesPyTorch(string name)
    {
        var reference = NnReference.Tensors;
        var meta = NnReference.Functional.Single(f => f.name == name);
        Tensor? Get(string key) => reference.TryGetValue($"{name}/{key}", out var t) ? t : null;
        using var scope = torch.NewDisposeScope();

        var inputs = new List<Tensor>();
        for (var i = 0; Get($"in{i}") is { } input; i++)
            inputs.Add(meta.grad_inputs.Contains(i) ? input.clone().requires_grad_() : input.clone());
        if (meta.seed_forward is long s) torch.manual_seed(s);
        var output = Functional[name](inputs.ToArray());
        AssertMatches($"{name}: output", Get("out")!, output);
        (output * Get("gout")!).sum().backward();
        foreach (var i in meta.grad_inputs)
            AssertMatches($"{name}: grad of in{i}", Get($"grad/in{i}")!, inputs[i].grad ?? torch.zeros_like(inputs[i]));
    }

    internal static void AssertMatches(string what, Tensor expected, Tensor actual, bool exact = false)
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
            var ok = ev[i] == av[i] || (!exact && Math.Abs(ev[i] - av[i]) <= Tolerance * Math.Max(1, Math.Abs(ev[i])));
            Assert.True(ok, $"{what}: element {i} is {av[i]:R}, PyTorch's is {ev[i]:R}");
        }
    }
}
