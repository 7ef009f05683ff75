using Workbench.Losses;
using Workbench.Tests.Models;
using Workbench.Torch;

namespace Workbench.Tests.Losses;

/// <summary>The GAN losses against PyTorch (values and gradients w.r.t. both score tensors), on per-pixel scores with ties and saturation.</summary>
public class GanLossTests
{
    private static readonly Dictionary<string, Func<IGanLoss>> Losses = new()
    {
        ["bce"] = () => new BceGanLoss(),
        ["relativistic_average"] = () => new RelativisticGanLoss(average: true),
        ["relativistic"] = () => new RelativisticGanLoss(average: false),
        ["nonrewarding"] = () => new NonRewardingRelativisticGanLoss(),
    };

    public static TheoryData<string> Cases => new(SrReferenceCases());

    private static IEnumerable<string> SrReferenceCases() =>
        from kind in Losses.Keys from which in new[] { "critic", "generator" } select $"{kind}/{which}";

    [Fact]
    public void CoversEveryReferenceCase() => Assert.Equal(SrReference.GanCases.Order(), SrReferenceCases().Select(c => "gan/" + c).Order());

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        using var scope = torch.NewDisposeScope();
        var (kind, which) = (name.Split('/')[0], name.Split('/')[1]);
        var loss = Losses[kind]();
        var real = SrReference.Get("gan/real").clone().requires_grad_();
        var fake = SrReference.Get("gan/fake").clone().requires_grad_();
        var value = which == "critic" ? loss.CriticLoss(real, fake) : loss.GeneratorLoss(real, fake);
        SrReference.AssertClose($"{name}: value", SrReference.Get($"gan/{name}/loss"), value.reshape(1));
        value.backward();
        SrReference.AssertClose($"{name}: gradient w.r.t. real scores", SrReference.Get($"gan/{name}/grad/real"), real.grad ?? torch.zeros_like(real));
        SrReference.AssertClose($"{name}: gradient w.r.t. fake scores", SrReference.Get($"gan/{name}/grad/fake"), fake.grad ?? torch.zeros_like(fake));
    }

    [Fact]
    public void NotesVariantGivesNoRewardWhereFakeScoresHigher()
    {
        using var scope = torch.NewDisposeScope();
        var real = torch.tensor(new[] { 0f, 0f, 1f }, [3]);
        var fake = torch.tensor(new[] { 5f, -1f, 1f }, [3]).requires_grad_();
        new NonRewardingRelativisticGanLoss().GeneratorLoss(real, fake).backward();
        var g = fake.grad!.data<float>();
        Assert.Equal(0f, g[0]);   // fake above real: saturated, no gradient
        Assert.True(g[1] < 0);    // below: pushed up
        Assert.True(g[2] < 0);    // a tie is not "more real": still pushed up
    }
}
