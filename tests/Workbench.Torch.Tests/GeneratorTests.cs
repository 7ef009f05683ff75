using Workbench.Torch;

namespace Workbench.Torch.Tests;

public class GeneratorTests
{
    [Fact]
    public void SameSeedGivesSameSamplesWhateverTheGlobalGeneratorDoes()
    {
        using var scope = torch.NewDisposeScope();
        using var g1 = new torch.Generator().manual_seed(42);
        var first = torch.randn([2, 3], g1).data<float>();
        torch.manual_seed(7);
        torch.rand(100); // advances the global generator only
        using var g2 = new torch.Generator().manual_seed(42);
        Assert.Equal(first, torch.randn([2, 3], g2).data<float>());
        Assert.NotEqual(first, torch.randn([2, 3], g2).data<float>()); // the stream moves on
        Assert.Equal(42UL, g2.initial_seed());
    }

    [Fact]
    public void PoissonDrawsFromTheGivenGenerator()
    {
        using var scope = torch.NewDisposeScope();
        var rates = torch.full([10_000], 4.0);
        using var g = new torch.Generator().manual_seed(3);
        var counts = torch.poisson(rates, g);
        Assert.InRange(counts.mean().item<float>(), 3.9f, 4.1f); // 5 standard errors either side
        Assert.InRange(counts.var().item<float>(), 3.7f, 4.3f);
        Assert.True(counts.eq(counts.round()).all().item<bool>()); // whole numbers
        g.manual_seed(3);
        Assert.Equal(counts.data<float>(), torch.poisson(rates, g).data<float>());
    }

    [Fact]
    public void UnseededGeneratorStartsFromPyTorchsDefaultSeed()
    {
        using var g = new torch.Generator();
        Assert.Equal(67280421310721UL, g.initial_seed());
    }
}
