using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests.Optim;

public class OptimizerTests
{
    public static TheoryData<string> AllConfigs
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var (name, _) in OptimReference.Index["configs"]!.AsObject()) data.Add(name);
            return data;
        }
    }

    [Fact]
    public void ZeroGradZeroesByDefaultLikePyTorch113AndDropsWithSetToNone()
    {
        using var scope = torch.NewDisposeScope();
        var p = torch.ones(new long[] { 3 }, requires_grad: true);
        using var opt = new optim.SGD(new[] { p }, lr: 0.1);
        (p * 2).sum().backward();
        opt.zero_grad();
        var g = p.grad;
        Assert.NotNull(g);
        Assert.Equal(new float[] { 0, 0, 0 }, g!.data<float>());
        Assert.False(g.requires_grad);
        opt.zero_grad(set_to_none: true);
        Assert.Null(p.grad);
        opt.step(); // no gradient: nothing moves
        Assert.Equal(new float[] { 1, 1, 1 }, p.data<float>());
    }

    [Fact]
    public void GroupHyperparametersAreReadableAndSettable()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(new long[] { 2 }, requires_grad: true);
        var b = torch.ones(new long[] { 2 }, requires_grad: true);
        using var opt = new optim.Adam(new[] { new optim.ParamGroup(new[] { a }, lr: 1e-4), new optim.ParamGroup(new[] { b }, lr: 4e-4) }, betas: (0.5, 0.9));
        Assert.Equal(1e-4, opt.param_groups[0].lr);
        Assert.Equal(4e-4, opt.param_groups[1].lr);
        Assert.Equal((0.5, 0.9), opt.param_groups[1].betas);
        Assert.Equal(1e-8, opt.param_groups[0].eps);
        opt.param_groups[1].lr = 0.25;
        opt.param_groups[0]["weight_decay"] = 0.5;
        Assert.Equal(0.5, opt.param_groups[0].weight_decay);

        a.grad = torch.ones(2);
        b.grad = torch.ones(2);
        opt.step();
        // First Adam step moves by about lr: group 1 now uses the lr set above.
        Assert.Equal(0.75, b.data<float>()[0], 5);
        Assert.Equal(1 - 1e-4, a.data<float>()[0], 6);
        Assert.Contains("Parameter Group 1", opt.ToString());
        Assert.Contains("lr: 0.25", opt.ToString());
    }

    [Fact]
    public void StepWithClosureEvaluatesTheLossWithGradientsThenSteps()
    {
        using var scope = torch.NewDisposeScope();
        var w = torch.zeros(new long[] { 2 }, requires_grad: true);
        var target = torch.tensor(new float[] { 1, -2 });
        using var opt = new optim.SGD(new[] { w }, lr: 0.25);
        Tensor Closure()
        {
            opt.zero_grad();
            var loss = (w - target).pow(2).sum();
            loss.backward();
            return loss;
        }
        using (torch.no_grad())
        {
            var loss = opt.step(Closure);
            Assert.Equal(5f, loss.item<float>());
        }
        // w -= 0.25 * 2 (w - target): halfway to the target.
        Assert.Equal(new float[] { 0.5f, -1f }, w.data<float>());
    }

    [Fact]
    public void RejectsParametersInTwoGroupsAndNonLeaves()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(new long[] { 2 }, requires_grad: true);
        Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { new optim.ParamGroup(new[] { a }), new optim.ParamGroup(new[] { a }) }, lr: 0.1));
        Assert.Throws<ArgumentException>(() => new optim.SGD(new[] { a * 2 }, lr: 0.1));
        Assert.Throws<ArgumentException>(() => new optim.SGD(Array.Empty<Tensor>(), lr: 0.1));
        using var opt = new optim.SGD(new[] { a }, lr: 0.1);
        var b = torch.ones(new long[] { 2 }, requires_grad: true);
        opt.add_param_group(new optim.ParamGroup(new[] { b }, lr: 0.5));
        Assert.Equal(2, opt.param_groups.Count);
        Assert.Equal(0.0, opt.param_groups[1].momentum);
    }

    [Theory]
    [MemberData(nameof(AllConfigs))]
    public void LoadsPyTorchStateMidwayAndContinuesOnItsPath(string config)
    {
        using var scope = torch.NewDisposeScope();
        var (r, meta) = OptimReference.Load(config);
        var mid = OptimReference.MidStep;
        var ps = new[] { r[$"param.{mid - 1}.0"].clone().requires_grad_(), r[$"param.{mid - 1}.1"].clone().requires_grad_() };
        using var opt = OptimReference.Make(config, ps);
        using (var sd = optim.OptimizerStateDict.FromTensors(r, meta["mid_param_groups"], prefix: "mid."))
            opt.load_state_dict(sd);
        var worst = 0.0;
        for (var s = mid; s < OptimReference.Steps; s++)
        {
            OptimReference.SetGrads(r, ps, s);
            opt.step();
            for (var i = 0; i < ps.Length; i++) worst = Math.Max(worst, OptimReference.MaxAbsDiff(ps[i], r[$"param.{s}.{i}"]));
        }
        Assert.InRange(worst, 0, OptimReference.Tolerance);
    }

    [Theory]
    [InlineData("adam_amsgrad")]
    [InlineData("sgd_two_groups")]
    [InlineData("adamw")]
    public void SavedThroughSafetensorsAndRestoredItContinuesExactlyAsIfNeverSaved(string config)
    {
        using var scope = torch.NewDisposeScope();
        var (r, _) = OptimReference.Load(config);
        var ps = OptimReference.InitialParams(r);
        using var opt = OptimReference.Make(config, ps);
        for (var s = 0; s < 3; s++)
        {
            OptimReference.SetGrads(r, ps, s);
            opt.step();
        }

        var path = Path.Combine(Path.GetTempPath(), $"wb-optim-{config}-{Environment.ProcessId}.safetensors");
        try
        {
            using (var sd = opt.state_dict())
                SafeTensors.Save(path, sd.ToTensors("optimizer."), new Dictionary<string, string> { ["optimizer"] = sd.ToJson() });
            var (loaded, metadata) = SafeTensors.LoadWithMetadata(path);
            var restoredParams = ps.Select(p => p.detach().clone().requires_grad_()).ToArray();
            using var restored = OptimReference.Make(config, restoredParams);
            restored.param_groups[0].lr = 123; // overwritten by the loaded hyperparameters
            using (var sd = optim.OptimizerStateDict.FromTensors(loaded, metadata["optimizer"], prefix: "optimizer."))
                restored.load_state_dict(sd);
            Assert.Equal(opt.param_groups[0].lr, restored.param_groups[0].lr);

            for (var s = 3; s < OptimReference.Steps; s++)
            {
                OptimReference.SetGrads(r, ps, s);
                OptimReference.SetGrads(r, restoredParams, s);
                opt.step();
                restored.step();
                for (var i = 0; i < ps.Length; i++) Assert.True(ps[i].equal(restoredParams[i]), $"param {i} differs after step {s}");
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StateDictIsPyTorchShaped()
    {
        using var scope = torch.NewDisposeScope();
        var (r, _) = OptimReference.Load("adam_two_groups");
        var ps = OptimReference.InitialParams(r);
        using var opt = OptimReference.Make("adam_two_groups", ps);
        OptimReference.SetGrads(r, ps, 0);
        opt.step();
        using var sd = opt.state_dict();
        Assert.Equal(new[] { 0, 1 }, sd.state.Keys.OrderBy(k => k));
        Assert.Equal(new[] { "exp_avg", "exp_avg_sq", "step" }, sd.state[0].Keys.OrderBy(k => k, StringComparer.Ordinal));
        Assert.Equal(0, sd.state[0]["step"].dim());
        Assert.Equal(ScalarType.Float32, sd.state[0]["step"].dtype);
        Assert.Contains("\"params\":[1]", sd.ToJson());
        Assert.Contains("\"betas\":[0.5,0.999]", sd.ToJson());
        Assert.Contains("state.1.exp_avg_sq", sd.ToTensors().Keys);
        // Disposing the state dict leaves the optimizer's own buffers alive.
        sd.Dispose();
        Assert.False(opt.state[ps[0]]["exp_avg"].IsDisposed);
        opt.step();
    }

    [Fact]
    public void TwoThousandAdamStepsOnAMillionWeightsAccumulateNoTensors()
    {
        using var outer = torch.NewDisposeScope();
        var p = torch.randn(new long[] { 1000, 1000 }, requires_grad: true);
        p.grad = torch.randn(1000, 1000).mul_(1e-3);
        using var opt = new optim.Adam(new[] { p }, lr: 1e-4);
        opt.step();
        var ownedAfterFirst = outer.Count;
        var rssAfterFirst = ResidentBytes();
        for (var i = 0; i < 1999; i++) opt.step();
        // Nothing escaped the steps' own scopes, and the optimizer holds just its two moment buffers.
        Assert.Equal(ownedAfterFirst, outer.Count);
        Assert.Equal(2, opt.state[p].Buffers.Count);
        Assert.Equal(2000.0, opt.state[p].step);
        // A tensor leaked per step would hold 4 MB each (8 GB in all); allow allocator noise only.
        var growth = ResidentBytes() - rssAfterFirst;
        Assert.True(growth < 200L << 20, $"resident memory grew by {growth >> 20} MB over 2,000 steps");
    }

    private static long ResidentBytes()
    {
        var statm = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(statm[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
    }
}
