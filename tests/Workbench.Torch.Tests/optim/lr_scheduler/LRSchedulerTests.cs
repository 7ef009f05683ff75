using System.Text.Json.Nodes;

namespace Workbench.Torch.Tests.Optim;

using static optim.lr_scheduler;

public class LRSchedulerTests
{
    private static readonly Dictionary<string, (Func<Tensor[], optim.Optimizer> Optimizer, Func<optim.Optimizer, LRScheduler> Scheduler, int Steps)> Configs = new()
    {
        ["step"] = (ps => Sgd(ps, new[] { 0.1, 0.01 }), o => new StepLR(o, step_size: 7, gamma: 0.5), 50),
        ["multistep"] = (ps => Sgd(ps, new[] { 0.1 }), o => new MultiStepLR(o, milestones: new[] { 10, 25, 25, 40 }, gamma: 0.3), 50),
        ["cosine"] = (ps => Sgd(ps, new[] { 0.1, 0.02 }), o => new CosineAnnealingLR(o, T_max: 20, eta_min: 1e-4), 50),
        ["linear"] = (ps => Sgd(ps, new[] { 0.1 }), o => new LinearLR(o, start_factor: 0.1, total_iters: 10), 50),
        ["lambda"] = (ps => Sgd(ps, new[] { 0.1 }), o => new LambdaLR(o, e => Math.Pow(0.95, e)), 50),
        ["onecycle_adam"] = (ps => Adam(ps, new[] { 1e-3 }), o => new OneCycleLR(o, max_lr: 0.01, total_steps: 50), 49),
        ["onecycle_sgd_three_phase_linear"] = (ps => Sgd(ps, new[] { 0.1, 0.1 }, momentum: 0.9),
            o => new OneCycleLR(o, max_lr: new[] { 0.05, 0.2 }, epochs: 5, steps_per_epoch: 10, pct_start: 0.25, anneal_strategy: "linear", three_phase: true), 49),
        ["warmup_cosine"] = (ps => Sgd(ps, new[] { 0.1 }),
            o => new SequentialLR(o, new LRScheduler[] { new LinearLR(o, start_factor: 0.1, total_iters: 5), new CosineAnnealingLR(o, T_max: 45) }, milestones: new[] { 5 }), 50),
    };

    public static TheoryData<string> Names => new(Configs.Keys);

    private static optim.Optimizer Sgd(Tensor[] ps, double[] lrs, double momentum = 0) =>
        new optim.SGD(lrs.Select((lr, i) => new optim.ParamGroup(new[] { ps[i] }, lr: lr)).ToArray(), lr: lrs[0], momentum: momentum);

    private static optim.Optimizer Adam(Tensor[] ps, double[] lrs) =>
        new optim.Adam(lrs.Select((lr, i) => new optim.ParamGroup(new[] { ps[i] }, lr: lr)).ToArray(), lr: lrs[0]);

    private static Tensor[] Params() => new[] { torch.zeros(new long[] { 1 }, requires_grad: true), torch.zeros(new long[] { 1 }, requires_grad: true) };

    private static double Momentum(optim.ParamGroup g) => g.ContainsKey("betas") ? g.betas.Item1 : g.momentum;

    [Theory]
    [MemberData(nameof(Names))]
    public void MatchesPyTorchScheduleStepByStep(string name)
    {
        using var scope = torch.NewDisposeScope();
        var expected = OptimReference.Schedulers[name]!;
        var (makeOptimizer, makeScheduler, steps) = Configs[name];
        using var opt = makeOptimizer(Params());
        var sched = makeScheduler(opt);
        var lrs = expected["lrs"]!.AsArray();
        var momenta = expected["momentum"]!.AsArray();
        Assert.Equal(steps + 1, lrs.Count);
        for (var s = 0; s <= steps; s++)
        {
            if (s > 0)
            {
                opt.step();
                sched.step();
            }
            var want = lrs[s]!.AsArray();
            var got = sched.get_last_lr();
            Assert.Equal(want.Count, got.Count);
            for (var g = 0; g < want.Count; g++)
            {
                AssertClose(want[g]!.GetValue<double>(), got[g], $"{name} step {s} group {g} lr");
                AssertClose(momenta[s]![g]!.GetValue<double>(), Momentum(opt.param_groups[g]), $"{name} step {s} group {g} momentum");
            }
        }
    }

    private static void AssertClose(double expected, double actual, string what) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-12 * Math.Max(1, Math.Abs(expected)), $"{what}: PyTorch {expected:R}, ours {actual:R}");

    [Theory]
    [MemberData(nameof(Names))]
    public void StateDictRoundTripResumesTheSameSchedule(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (makeOptimizer, makeScheduler, steps) = Configs[name];
        using var opt = makeOptimizer(Params());
        var sched = makeScheduler(opt);
        for (var s = 0; s < 12; s++) sched.step();
        var saved = (JsonObject)JsonNode.Parse(sched.state_dict().ToJsonString())!;
        using var optState = opt.state_dict();

        using var opt2 = makeOptimizer(Params());
        var sched2 = makeScheduler(opt2);
        opt2.load_state_dict(optState);
        sched2.load_state_dict(saved);
        Assert.Equal(sched.last_epoch, sched2.last_epoch);
        for (var s = 12; s < steps; s++)
        {
            sched.step();
            sched2.step();
            Assert.Equal(sched.get_last_lr(), sched2.get_last_lr());
        }
    }

    [Fact]
    public void SetLrMovesLrAndInitialLr()
    {
        using var scope = torch.NewDisposeScope();
        using var opt = Sgd(Params(), new[] { 0.1, 0.01 });
        var first = new StepLR(opt, step_size: 2);
        Assert.Equal(0.1, opt.param_groups[0].initial_lr);
        SetLr(opt, 0.5);
        Assert.All(opt.param_groups, g => Assert.Equal(0.5, g.lr));
        var second = new CosineAnnealingLR(opt, T_max: 10);
        Assert.Equal(new[] { 0.5, 0.5 }, second.base_lrs);
        SetLr(opt, new[] { 0.3, 0.03 });
        Assert.Equal(0.03, opt.param_groups[1].lr);
        Assert.Throws<ArgumentException>(() => SetLr(opt, new[] { 0.1 }));
        Assert.Equal(new[] { 0.1, 0.01 }, first.base_lrs);
    }

    [Fact]
    public void ResumingWithoutInitialLrFailsAsInPyTorch()
    {
        using var scope = torch.NewDisposeScope();
        using var opt = Sgd(Params(), new[] { 0.1 });
        Assert.Throws<KeyNotFoundException>(() => new StepLR(opt, step_size: 3, last_epoch: 5));
    }

    [Fact]
    public void OneCycleRefusesToStepPastTotalSteps()
    {
        using var scope = torch.NewDisposeScope();
        using var opt = Sgd(Params(), new[] { 0.1 }, momentum: 0.9);
        var sched = new OneCycleLR(opt, max_lr: 1, total_steps: 3);
        for (var i = 0; i < 3; i++) sched.step();
        Assert.Throws<InvalidOperationException>(() => sched.step());
        Assert.Throws<ArgumentException>(() => new OneCycleLR(opt, max_lr: 1));
    }
}
