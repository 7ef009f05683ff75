namespace Workbench.Torch.Tests;

/// <summary>nn.utils: spectral_norm's state and lifecycle (its numbers are in NnParityTests), gradient clipping vs PyTorch.</summary>
public class utilsTests
{
    [Fact]
    public void SpectralNormHasPyTorchsStateDictKeysAndPrintsAsTheLayer()
    {
        using var conv = nn.utils.spectral_norm(new nn.Conv2d(3, 8, 3));
        Assert.Equal(new[] { "bias", "weight_orig", "weight_u", "weight_v" }, conv.state_dict().Keys); // PyTorch 1.13's order
        Assert.Equal(new[] { "bias", "weight_orig" }, conv.named_parameters().Select(p => p.name));
        Assert.Equal(new long[] { 8 }, conv.get_buffer("weight_u").shape);
        Assert.Equal(new long[] { 27 }, conv.get_buffer("weight_v").shape);
        Assert.Equal("Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))", conv.ToString());
        Assert.Throws<InvalidOperationException>(() => nn.utils.spectral_norm(conv));
    }

    [Fact]
    public void PowerIterationRunsInTrainingOnlyAndNormalizesTheTopSingularValue()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        using var linear = nn.utils.spectral_norm(new nn.Linear(6, 4));
        var u = linear.get_buffer("weight_u");
        var x = torch.randn(2, 6);
        for (var i = 0; i < 30; i++) linear.call(x);
        // After convergence u ≈ W v / σ, so the normalized weight has largest singular value 1: ‖W_sn v‖ ≈ 1.
        var wsn = linear.weight;
        var v = linear.get_buffer("weight_v");
        Assert.Equal(1.0, wsn.mv(v).norm().item<double>(), 4);

        linear.eval();
        var before = u.clone();
        linear.call(x);
        Assert.True(before.equal(u), "eval must not update u");
    }

    [Fact]
    public void RemoveSpectralNormLeavesAPlainWeightParameter()
    {
        using var scope = torch.NewDisposeScope();
        using var conv = nn.utils.spectral_norm(new nn.Conv2d(2, 4, 1));
        conv.eval();
        var normalized = conv.call(torch.ones(1, 2, 3, 3));
        nn.utils.remove_spectral_norm(conv);
        Assert.Equal(new[] { "bias", "weight" }, conv.state_dict().Keys);
        Assert.True(conv.weight.requires_grad);
        Assert.True(conv.call(torch.ones(1, 2, 3, 3)).allclose(normalized));
        Assert.Throws<ArgumentException>(() => nn.utils.remove_spectral_norm(conv));
    }

    [Fact]
    public void RemovingSpectralNormInPlaceGivesTheSameWeightInTheOriginalsMemory()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        using var a = nn.utils.spectral_norm(new nn.Conv2d(3, 5, 3));
        using var b = nn.utils.spectral_norm(new nn.Conv2d(3, 5, 3));
        for (var i = 0; i < 5; i++) a.call(torch.randn(1, 3, 6, 6));    // u and v away from their start
        b.load_state_dict(a.state_dict());
        var orig = b.get_parameter("weight_orig");
        nn.utils.remove_spectral_norm(a);
        nn.utils.remove_spectral_norm_(b);
        Assert.Equal(new[] { "bias", "weight" }, b.state_dict().Keys);
        Assert.Same(orig, b.get_parameter("weight"));
        Assert.True(b.weight.equal(a.weight), "the same division as remove_spectral_norm");
        Assert.Throws<ArgumentException>(() => nn.utils.remove_spectral_norm_(b));
    }

    [Fact]
    public void SpectralNormStateRoundTripsThroughStateDict()
    {
        using var scope = torch.NewDisposeScope();
        using var a = nn.utils.spectral_norm(new nn.Conv2d(3, 4, 3));
        a.call(torch.randn(1, 3, 5, 5));
        using var b = nn.utils.spectral_norm(new nn.Conv2d(3, 4, 3));
        b.load_state_dict(a.state_dict());
        a.eval();
        b.eval();
        var x = torch.randn(1, 3, 5, 5);
        Assert.True(a.call(x).equal(b.call(x)));
    }

    [Fact]
    public void LoadsPrePyTorch1SpectralNormCheckpointsLikePyTorch()
    {
        using var scope = torch.NewDisposeScope();
        var reference = NnReference.Tensors;
        var old = reference.Where(kv => kv.Key.StartsWith("spectral_old/state/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key["spectral_old/state/".Length..], kv => kv.Value);
        Assert.DoesNotContain("weight_v", old.Keys);
        using var conv = nn.utils.spectral_norm(new nn.Conv2d(3, 4, 3));
        conv.load_state_dict(old);
        NnParityTests.AssertMatches("solved weight_v", reference["spectral_old/weight_v"], conv.get_buffer("weight_v"));
        conv.eval();
        NnParityTests.AssertMatches("eval output", reference["spectral_old/y"], conv.call(reference["spectral_old/x"]));

        old.Remove("weight");
        old.Remove("weight_u");
        var keys = conv.load_state_dict(old, strict: false); // neither format: PyTorch reports the old keys, then the new ones
        Assert.Equal(new[] { "weight", "weight_u", "weight_u", "weight_v" }, keys.missing_keys);
    }

    [Theory]
    [InlineData("2", 0.5)]
    [InlineData("1", 100.0)]
    [InlineData("inf", 0.3)]
    public void ClipGradNormMatchesPyTorch(string normType, double maxNorm)
    {
        using var scope = torch.NewDisposeScope();
        var reference = NnReference.Tensors;
        var parameters = new List<Tensor>();
        for (var i = 0; i < 3; i++)
        {
            var p = torch.zeros(1).requires_grad_();
            if (reference.TryGetValue($"clip/{normType}/grad_before{i}", out var g)) p.grad = g.clone();
            parameters.Add(p);
        }
        var total = nn.utils.clip_grad_norm_(parameters, maxNorm, normType == "inf" ? double.PositiveInfinity : double.Parse(normType, System.Globalization.CultureInfo.InvariantCulture));
        NnParityTests.AssertMatches("total norm", reference[$"clip/{normType}/total"], total);
        for (var i = 0; i < 2; i++) NnParityTests.AssertMatches($"clipped grad {i}", reference[$"clip/{normType}/grad_after{i}"], parameters[i].grad!);
        Assert.Null(parameters[2].grad);
    }

    [Fact]
    public void ClipGradValueAndParameterVectors()
    {
        using var scope = torch.NewDisposeScope();
        using var linear = new nn.Linear(3, 2);
        (linear.call(torch.ones(4, 3)) * 100).sum().backward();
        nn.utils.clip_grad_value_(linear.parameters(), 0.5);
        Assert.True(linear.weight.grad!.abs().max().item<float>() <= 0.5f);

        var vec = nn.utils.parameters_to_vector(linear.parameters());
        Assert.Equal(new long[] { 8 }, vec.shape);
        nn.utils.vector_to_parameters(torch.arange(8, ScalarType.Float32), linear.parameters());
        Assert.Equal(new float[] { 6, 7 }, linear.bias!.data<float>());
    }
}
