using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class NoiseTests
{
    [Fact]
    public void GaussianNoiseHasTheRequestedSigma()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.full([3, 64, 64], 0.5);
        DeterministicAndInRange(new GaussianNoise((0.01, 0.1)), gray);
        var noisy = new GaussianNoise(0.05, grayProbability: 0).Apply(gray, new Random(1));
        Assert.Equal(0.05, noisy.sub(gray).std().item<float>(), 2);
        // Gray noise is the same in every channel, colour noise is not.
        var grayNoise = new GaussianNoise(0.05, grayProbability: 1).Apply(gray, new Random(1));
        Assert.Equal(grayNoise[0].data<float>(), grayNoise[2].data<float>());
        Assert.NotEqual(noisy[0].data<float>(), noisy[2].data<float>());
    }

    [Fact]
    public void PoissonNoiseGrowsWithFewerPhotonsAndKeepsTheMean()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.full([3, 64, 64], 0.4);
        DeterministicAndInRange(new PoissonNoise((10, 1000)), gray);
        var few = new PoissonNoise(20, grayProbability: 0).Apply(gray, new Random(2));
        var many = new PoissonNoise(2000, grayProbability: 0).Apply(gray, new Random(2));
        Assert.True(few.sub(gray).std().item<float>() > 3 * many.sub(gray).std().item<float>());
        Assert.Equal(0.4, many.mean().item<float>(), 2);
        // Shot noise variance = signal / peak: sigma = sqrt(0.4 / 20) ≈ 0.141.
        Assert.Equal(Math.Sqrt(0.4 / 20), few.sub(gray).std().item<float>(), 1);
    }

    [Fact]
    public void WorksOnGrayImages()
    {
        using var input = Picture(channels: 1);
        DeterministicAndInRange(new GaussianNoise(0.05), input);
        DeterministicAndInRange(new PoissonNoise(100), input);
    }
}
