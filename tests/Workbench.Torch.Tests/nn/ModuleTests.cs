using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests;

/// <summary>nn.Module: registration, dotted names, state_dict round trips, modes, devices, hooks, printing, lifetime.</summary>
public class ModuleTests
{
    /// <summary>A network with every kind of member: own parameter, persistent and non-persistent buffers, a None bias, containers.</summary>
    private sealed class Net : nn.Module<Tensor, Tensor>
    {
        public readonly nn.Sequential body;
        public readonly nn.ModuleDict heads;
        public readonly nn.Sequential up;
        public readonly nn.ModuleList norms;

        public Net()
        {
            body = register_module("body", new nn.Sequential(new nn.Conv2d(3, 64, 3, padding: 1), new nn.BatchNorm2d(64), new nn.LeakyReLU(0.2, inplace: true), new nn.MaxPool2d(2)));
            heads = register_module("heads", new nn.ModuleDict(
                ("sr", new nn.ConvTranspose2d(64, 3, 4, stride: 2, padding: 1)),
                ("cls", new nn.Sequential(new nn.AdaptiveAvgPool2d(1), new nn.Flatten(), new nn.Linear(64, 10)))));
            up = register_module("up", new nn.Sequential(new nn.Upsample(scale_factor: 2, mode: "bilinear"), new nn.PixelShuffle(2), new nn.Dropout(0.1), new nn.Embedding(5, 3)));
            norms = register_module("norms", new nn.ModuleList(new nn.GroupNorm(4, 64), new nn.LayerNorm(64, eps: 1e-6), new nn.InstanceNorm2d(64), new nn.PReLU()));
        }

        public override Tensor forward(Tensor input) => ((nn.Module<Tensor, Tensor>)heads["sr"]).call(body.call(input));
    }

    [Fact]
    public void PrintsTheTreeExactlyAsPyTorch()
    {
        using var net = new Net();
        const string expected = """
            Net(
              (body): Sequential(
                (0): Conv2d(3, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))
                (1): BatchNorm2d(64, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)
                (2): LeakyReLU(negative_slope=0.2, inplace=True)
                (3): MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
              )
              (heads): ModuleDict(
                (sr): ConvTranspose2d(64, 3, kernel_size=(4, 4), stride=(2, 2), padding=(1, 1))
                (cls): Sequential(
                  (0): AdaptiveAvgPool2d(output_size=1)
                  (1): Flatten(start_dim=1, end_dim=-1)
                  (2): Linear(in_features=64, out_features=10, bias=True)
                )
              )
              (up): Sequential(
                (0): Upsample(scale_factor=2.0, mode=bilinear)
                (1): PixelShuffle(upscale_factor=2)
                (2): Dropout(p=0.1, inplace=False)
                (3): Embedding(5, 3)
              )
              (norms): ModuleList(
                (0): GroupNorm(4, 64, eps=1e-05, affine=True)
                (1): LayerNorm((64,), eps=1e-06, elementwise_affine=True)
                (2): InstanceNorm2d(64, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)
                (3): PReLU(num_parameters=1)
              )
            )
            """;
        Assert.Equal(expected, net.ToString());
        Assert.Equal(5917, net.count_parameters()); // PyTorch: sum(p.numel() for p in Net().parameters())
    }

    [Fact]
    public void NamesFollowRegistrationOrderWithDots()
    {
        using var net = new Net();
        var parameters = net.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(new[] { "body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias", "heads.sr.weight", "heads.sr.bias", "heads.cls.2.weight", "heads.cls.2.bias",
            "up.3.weight", "norms.0.weight", "norms.0.bias", "norms.1.weight", "norms.1.bias", "norms.3.weight" }, parameters);
        Assert.Equal(new[] { "body.1.running_mean", "body.1.running_var", "body.1.num_batches_tracked" }, net.named_buffers().Select(b => b.name));
        Assert.Equal(new[] { "", "body", "body.0", "body.1", "body.2", "body.3", "heads", "heads.sr", "heads.cls", "heads.cls.0", "heads.cls.1", "heads.cls.2",
            "up", "up.0", "up.1", "up.2", "up.3", "norms", "norms.0", "norms.1", "norms.2", "norms.3" }, net.named_modules().Select(m => m.name));
        Assert.Equal(new[] { "body", "heads", "up", "norms" }, net.named_children().Select(c => c.name));
        Assert.Same(net.get_submodule("heads.cls.2"), net.heads["cls"] is nn.Sequential s ? s[2] : null);
        Assert.Same(((nn.Conv2d)net.body[0]).weight, net.get_parameter("body.0.weight"));
        Assert.Equal(new long[] { 64 }, net.get_buffer("body.1.running_var").shape);
    }

    [Fact]
    public void StateDictHoldsPersistentStateOnlyAndSharesStorage()
    {
        using var scope = torch.NewDisposeScope();
        var m = new BufferHolder();
        var sd = m.state_dict();
        Assert.Equal(new[] { "scale", "persistent", "child.weight" }, sd.Keys); // no None bias, no non-persistent buffer
        Assert.True(sd["scale"].shares_storage_with(m.get_parameter("scale")));
        Assert.False(sd["scale"].requires_grad);
        Assert.Equal(new[] { "persistent", "scratch" }, m.named_buffers().Select(b => b.name));
        m.Dispose();
    }

    private sealed class BufferHolder : nn.Module
    {
        public BufferHolder()
        {
            using (var s = torch.ones(2)) register_parameter("scale", nn.Parameter(s));
            register_parameter("shift", null);
            register_buffer("persistent", torch.zeros(3));
            register_buffer("scratch", torch.zeros(3), persistent: false);
            register_module("child", new nn.Linear(2, 2, bias: false));
        }
    }

    [Fact]
    public void TiedParametersAreListedOnce()
    {
        using var a = new nn.Linear(4, 4);
        var seq = new nn.Sequential(a, a);
        Assert.Equal(new[] { "0.weight", "0.bias" }, seq.named_parameters().Select(p => p.name));
        Assert.Equal(new[] { "", "0" }, seq.named_modules().Select(m => m.name));
        Assert.Equal(new[] { "0.weight", "0.bias", "1.weight", "1.bias" }, seq.state_dict().Keys); // PyTorch saves both names too
    }

    [Fact]
    public void RegistrationRejectsBadNames()
    {
        using var m = new BufferHolder();
        Assert.Contains("can't contain \".\"", Assert.Throws<ArgumentException>(() => m.register_buffer("a.b", null)).Message);
        Assert.Contains("can't be empty", Assert.Throws<ArgumentException>(() => m.register_parameter("", null)).Message);
        Assert.Contains("attribute 'child' already exists", Assert.Throws<ArgumentException>(() => m.register_parameter("child", null)).Message);
        using var x = torch.ones(2).requires_grad_();
        using var y = x * 2;
        Assert.Contains("non-leaf", Assert.Throws<ArgumentException>(() => m.register_parameter("y", y)).Message);
    }

    [Fact]
    public void StrictLoadReportsMissingUnexpectedAndSizeMismatchLikePyTorch()
    {
        using var scope = torch.NewDisposeScope();
        using var m = new NnParityTests.Composite();
        var sd = m.state_dict();
        sd.Remove("head.bias");
        sd.Remove("stem.1.running_var");
        sd["blocks.2.weight"] = torch.zeros(1);
        sd["extra"] = torch.zeros(1);
        sd["stem.0.weight"] = torch.zeros(8, 3, 5, 5);
        var e = Assert.Throws<nn.StateDictException>(() => m.load_state_dict(sd));
        Assert.Equal(NnReference.Extras.strict_error, e.Message);

        sd.Remove("stem.0.weight");
        var keys = m.load_state_dict(sd, strict: false);
        Assert.Equal(NnReference.Extras.nonstrict_missing, keys.missing_keys);
        Assert.Equal(NnReference.Extras.nonstrict_unexpected, keys.unexpected_keys);

        var sd2 = new NnParityTests.Composite().state_dict();
        sd2["stem.0.weight"] = torch.zeros(8, 3, 5, 5);
        Assert.Equal(NnReference.Extras.nonstrict_size_error, Assert.Throws<nn.StateDictException>(() => m.load_state_dict(sd2, strict: false)).Message);
    }

    [Fact]
    public void LoadCopiesInPlaceConvertingDtypeAndFillsOldBatchNormCounter()
    {
        using var scope = torch.NewDisposeScope();
        using var bn = new nn.BatchNorm2d(3);
        var weight = bn.weight!;
        var sd = new Dictionary<string, Tensor>
        {
            ["weight"] = torch.full(new long[] { 3 }, 2.0, ScalarType.Float64),
            ["bias"] = torch.zeros(3),
            ["running_mean"] = torch.ones(3),
            ["running_var"] = torch.ones(3),
        };
        var keys = bn.load_state_dict(sd); // no num_batches_tracked: checkpoints from before PyTorch 0.4.1 load, as in PyTorch
        Assert.Empty(keys.missing_keys);
        Assert.Same(weight, bn.weight);
        Assert.Equal(ScalarType.Float32, weight.dtype);
        Assert.Equal(new float[] { 2, 2, 2 }, weight.data<float>());
        Assert.Equal(0L, bn.num_batches_tracked!.item<long>());
        Assert.Equal("<All keys matched successfully>", keys.ToString());
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        using var net = new Net();
        Assert.True(net.training);
        Assert.Same(net, net.eval());
        Assert.All(net.modules(), m => Assert.False(m.training));
        net.train();
        Assert.All(net.modules(), m => Assert.True(m.training));
    }

    [Fact]
    public void ToDtypeKeepsTensorIdentityGradsAndIntegerBuffers()
    {
        using var net = new nn.Sequential(new nn.Linear(3, 2), new nn.BatchNorm1d(2));
        var w = ((nn.Linear)net[0]).weight;
        using (var scope = torch.NewDisposeScope())
        {
            net.call(torch.randn(4, 3)).sum().backward();
        }
        net.to(ScalarType.Float64);
        Assert.Same(w, ((nn.Linear)net[0]).weight);
        Assert.Equal(ScalarType.Float64, w.dtype);
        Assert.True(w.requires_grad);
        using var g = w.grad!;
        Assert.Equal(ScalarType.Float64, g.dtype);
        Assert.Equal(ScalarType.Int64, net.get_buffer("1.num_batches_tracked").dtype);
        Assert.Equal(ScalarType.Float64, net.get_buffer("1.running_mean").dtype);
        Assert.Throws<ArgumentException>(() => net.to(ScalarType.Int32));
    }

    [Fact]
    public void RequiresGradZeroGradApplyAndCounts()
    {
        using var scope = torch.NewDisposeScope();
        using var net = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
        Assert.Equal(3 * 4 + 4 + 4 + 1, net.count_parameters());
        ((nn.Linear)net[0]).requires_grad_(false);
        Assert.Equal(5, net.count_parameters(only_trainable: true));

        net.call(torch.randn(2, 3)).sum().backward();
        Assert.Null(((nn.Linear)net[0]).weight.grad);
        Assert.NotNull(((nn.Linear)net[2]).weight.grad);
        net.zero_grad(); // PyTorch 1.13: set_to_none=False
        Assert.Equal(0f, ((nn.Linear)net[2]).weight.grad!.abs().sum().item<float>());
        net.zero_grad(set_to_none: true);
        Assert.Null(((nn.Linear)net[2]).weight.grad);

        var visited = new List<string>();
        net.apply(m => visited.Add(m.GetName()));
        Assert.Equal(new[] { "Linear", "ReLU", "Linear", "Sequential" }, visited);
        net.apply(m =>
        {
            if (m is nn.Linear l) nn.init.constant_(l.weight, 0.5);
        });
        Assert.Equal(0.5f, ((nn.Linear)net[2]).weight.mean().item<float>());
    }

    [Fact]
    public void HooksSeeAndReplaceInputsAndOutputs()
    {
        using var scope = torch.NewDisposeScope();
        using var relu = new nn.ReLU();
        var seen = new List<Tensor>();
        using (relu.register_forward_pre_hook((m, x) => x - 1))
        using (relu.register_forward_hook((m, x, y) => seen.Add(y)))
        {
            var y = relu.call(torch.tensor(new float[] { 0.5f, 3f }));
            Assert.Equal(new float[] { 0f, 2f }, y.data<float>());
            Assert.Single(seen);
        }
        relu.call(torch.ones(2));
        Assert.Single(seen); // removed when the handles were disposed
    }

    [Fact]
    public void SequentialFreesIntermediatesButNotHookedOutputs()
    {
        using var scope = torch.NewDisposeScope();
        using var seq = new nn.Sequential(new nn.Linear(3, 3), new nn.Tanh(), new nn.Linear(3, 3), new nn.Sigmoid());
        Tensor? firstOut = null, hookedOut = null;
        seq[0].register_forward_hook((m, x, y) => firstOut = y);
        seq.call(torch.randn(2, 3));
        Assert.False(firstOut!.IsDisposed); // has a hook: left to the caller's scope

        var tanh = seq[1];
        using var h = tanh.register_forward_pre_hook((m, x) => { hookedOut = x; return x; });
        var input = torch.randn(2, 3);
        var y = seq.call(input);
        Assert.False(input.IsDisposed);
        Assert.False(y.IsDisposed);
        Assert.False(hookedOut!.IsDisposed); // output of seq[0], which has a forward hook
    }

    [Fact]
    public void ParametersOutliveScopesAndDieWithTheModule()
    {
        nn.Linear layer;
        using (var scope = torch.NewDisposeScope()) layer = new nn.Linear(2, 2);
        var w = layer.weight;
        Assert.False(w.IsDisposed);
        Assert.Equal(new long[] { 2, 2 }, w.shape);
        layer.Dispose();
        Assert.True(w.IsDisposed);
    }

    public static TheoryData<string> ScopedModules => new() { "self_attention", "spectral_conv_reflect", "sequential_bn", "instance_norm_unbatched", "upsample_aa" };

    [Theory]
    [MemberData(nameof(ScopedModules))]
    public void ForwardLeavesOnlyItsOutputInTheCallersScope(string name)
    {
        using var model = name switch
        {
            "self_attention" => new nn.SelfAttention(16),
            "spectral_conv_reflect" => nn.utils.spectral_norm(new nn.Conv2d(16, 16, 3, padding: 1, padding_mode: "reflect")),
            "sequential_bn" => new nn.Sequential(new nn.Conv2d(16, 8, 1), new nn.BatchNorm2d(8), new nn.ReLU(), new nn.Conv2d(8, 16, 1)),
            "instance_norm_unbatched" => new nn.InstanceNorm2d(16, affine: true),
            _ => (nn.Module<Tensor, Tensor>)new nn.Upsample(scale_factor: 0.5, mode: "bicubic", antialias: true),
        };
        using var outer = torch.NewDisposeScope();
        var x = (name == "instance_norm_unbatched" ? torch.randn(16, 6, 6) : torch.randn(2, 16, 6, 6)).requires_grad_();
        for (var step = 0; step < 3; step++)
        {
            using var scope = torch.NewDisposeScope();
            var y = model.call(x);
            Assert.Equal(1, scope.Count); // the output, nothing else
            y.sum().backward();
        }
        Assert.Equal(1, outer.Count); // only x: steps leaked nothing outward
    }

    /// <summary>How a model is written: registered components in the constructor, forward in a scope, handed out.</summary>
    private sealed class TinyEspcn : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Conv2d conv1;
        private readonly nn.Conv2d conv2;
        private readonly nn.PixelShuffle shuffle;

        public TinyEspcn(long scale = 2, long features = 8)
        {
            conv1 = register_module("conv1", new nn.Conv2d(3, features, 5, padding: 2));
            conv2 = register_module("conv2", new nn.Conv2d(features, 3 * scale * scale, 3, padding: 1));
            shuffle = register_module("shuffle", new nn.PixelShuffle(scale));
            nn.init.icnr_(conv2.weight, scale);
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = torch.NewDisposeScope();
            var features = nn.functional.leaky_relu(conv1.call(x), 0.1); // (N, F, H, W)
            var y = shuffle.call(conv2.call(features));                  // (N, 3, rH, rW)
            return y.MoveToOuterDisposeScope();
        }
    }

    [Fact]
    public void ModelRoundTripsThroughSafeTensors()
    {
        using var scope = torch.NewDisposeScope();
        var path = Path.Combine(Path.GetTempPath(), $"wb-nn-{Environment.ProcessId}-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = new TinyEspcn();
            SafeTensors.Save(path, a.state_dict());
            using var b = new TinyEspcn();
            b.load_state_dict(SafeTensors.Load(path));
            var x = torch.rand(1, 3, 8, 8);
            Assert.Equal(new long[] { 1, 3, 16, 16 }, a.call(x).shape);
            Assert.True(a.call(x).equal(b.call(x)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
