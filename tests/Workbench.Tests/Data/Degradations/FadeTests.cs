using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class FadeTests
{
    [Fact]
    public void IsDeterministicAndLowersContrastAndSaturation()
    {
        using var input = Picture();
        DeterministicAndInRange(new Fade(), input);
        DeterministicAndInRange(new Fade(), Picture(channels: 1));
        using var scope = torch.NewDisposeScope();
        for (var seed = 0; seed < 5; seed++)
        {
            var faded = new Fade(sepia: 0.0, yellowing: 0.0).Apply(input, new Random(seed));
            Assert.True(faded.std().item<float>() < input.std().item<float>());
            Assert.True(Chroma(faded) < Chroma(input));
        }
    }

    [Fact]
    public void SepiaAndYellowingWarmTheImage()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.full([3, 16, 16], 0.6);
        var aged = new Fade(contrast: 1.0, brightness: 0.0, saturation: 1.0, blackLift: 0.0, whiteDrop: 0.0, sepia: 0.5, yellowing: 0.3).Apply(gray, new Random(0));
        var (r, b) = (aged[0].mean().item<float>(), aged[2].mean().item<float>());
        Assert.True(r > b + 0.1, $"red {r}, blue {b}");
    }

    /// <summary>Mean distance of each pixel's channels from their mean.</summary>
    private static double Chroma(Tensor x) => x.sub(x.mean(0, keepdim: true)).abs().mean().item<float>();
}
