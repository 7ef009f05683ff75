using System.Text.Json.Nodes;

namespace Workbench.Torch.Tests.Amp;

public class GradScalerTests
{
    private static (Tensor p, optim.SGD opt) Setup()
    {
        var p = torch.ones(new long[] { 3 }, requires_grad: true);
        return (p, new optim.SGD(new[] { p }, lr: 0.5));
    }

    [Fact]
    public void ScalesTheLossAndUnscalesGradientsBeforeTheStep()
    {
        using var scope = torch.NewDisposeScope();
        var (p, opt) = Setup();
        using var _ = opt;
        using var scaler = new torch.amp.GradScaler();
        var loss = (p * torch.tensor(new float[] { 1, 2, 3 })).sum();
        var scaled = scaler.scale(loss);
        Assert.Equal(6f * 65536f, scaled.item<float>());
        scaled.backward();
        Assert.Equal(new float[] { 65536, 131072, 196608 }, p.grad!.data<float>());
        Assert.True(scaler.step(opt));
        Assert.Equal(new float[] { 1, 2, 3 }, p.grad!.data<float>());
        Assert.Equal(new float[] { 0.5f, 0f, -0.5f }, p.data<float>());
        scaler.update();
        Assert.Equal(65536.0, scaler.get_scale());
    }

    [Fact]
    public void SkipsTheStepOnInfOrNanAndBacksOff()
    {
        using var scope = torch.NewDisposeScope();
        var (p, opt) = Setup();
        using var _ = opt;
        using var scaler = new torch.amp.GradScaler(init_scale: 1024);
        scaler.scale(p.sum()).backward();
        p.grad = torch.tensor(new float[] { 1, float.PositiveInfinity, 3 });
        Assert.False(scaler.step(opt));
        Assert.Equal(new float[] { 1, 1, 1 }, p.data<float>());
        scaler.update();
        Assert.Equal(512.0, scaler.get_scale());

        p.grad = torch.tensor(new float[] { float.NaN, 0, 0 });
        scaler.unscale_(opt);
        Assert.Throws<InvalidOperationException>(() => scaler.unscale_(opt));
        Assert.False(scaler.step(opt));
        Assert.Throws<InvalidOperationException>(() => scaler.step(opt));
        scaler.update();
        Assert.Equal(256.0, scaler.get_scale());
    }

    [Fact]
    public void GrowsAfterGrowthIntervalCleanStepsAndRoundTripsItsState()
    {
        using var scope = torch.NewDisposeScope();
        var (p, opt) = Setup();
        using var _ = opt;
        using var scaler = new torch.amp.GradScaler(init_scale: 8, growth_interval: 3);
        var expected = new[] { 8.0, 8, 16, 16, 16, 32, 16 };
        for (var i = 0; i < expected.Length; i++)
        {
            scaler.scale(p.sum()).backward();
            if (i == expected.Length - 1) p.grad = torch.full(new long[] { 3 }, float.NaN);
            scaler.step(opt);
            scaler.update();
            Assert.Equal(expected[i], scaler.get_scale());
            opt.zero_grad();
        }
        var state = scaler.state_dict();
        Assert.Equal(0, state["_growth_tracker"]!.GetValue<long>());
        Assert.Equal(16.0, state["scale"]!.GetValue<double>());

        using var resumed = new torch.amp.GradScaler();
        resumed.load_state_dict((JsonObject)JsonNode.Parse(state.ToJsonString())!);
        Assert.Equal(16.0, resumed.get_scale());
        Assert.Equal(3, resumed.growth_interval);
    }

    [Fact]
    public void TrainsUnderBfloat16AutocastWithAdamAndOneCycle()
    {
        // The whole mixed-precision loop on CPU: forward under autocast, scaled backward, scaler step, schedule.
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        var x = torch.randn(64, 8);
        var trueW = torch.randn(8, 1);
        var y = x.matmul(trueW);
        var w = torch.zeros(new long[] { 8, 1 }, requires_grad: true);
        using var opt = new optim.Adam(new[] { w }, lr: 0.05);
        var sched = new optim.lr_scheduler.OneCycleLR(opt, max_lr: 0.1, total_steps: 200);
        using var scaler = new torch.amp.GradScaler(init_scale: 1024, growth_interval: 50);
        float first = 0, last = 0;
        for (var i = 0; i < 200; i++)
        {
            using var step = torch.NewDisposeScope();
            opt.zero_grad(set_to_none: true);
            Tensor loss;
            using (torch.autocast("cpu", torch.bfloat16))
            {
                var pred = x.matmul(w);
                Assert.Equal(ScalarType.BFloat16, pred.dtype);
                loss = (pred.@float() - y).pow(2).mean();
            }
            scaler.scale(loss).backward();
            Assert.True(scaler.step(opt));
            scaler.update();
            sched.step();
            if (i == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first / 20, $"loss {first} -> {last}");
        Assert.Equal(ScalarType.Float32, w.dtype);
        Assert.Equal(1024.0 * 16, scaler.get_scale());
    }

    [Fact]
    public void DisabledScalerOnlySteps()
    {
        using var scope = torch.NewDisposeScope();
        var (p, opt) = Setup();
        using var _ = opt;
        using var scaler = new torch.amp.GradScaler(enabled: false);
        var loss = p.sum();
        Assert.Same(loss, scaler.scale(loss));
        loss.backward();
        Assert.True(scaler.step(opt));
        scaler.update();
        Assert.Equal(1.0, scaler.get_scale());
        Assert.Equal(new float[] { 0.5f, 0.5f, 0.5f }, p.data<float>());
    }
}
