using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class BlurTests
{
    [Fact]
    public void GaussianBlurIsDeterministicAndSmooths()
    {
        using var input = Picture();
        DeterministicAndInRange(new GaussianBlur((0.5, 3.0), anisotropicProbability: 0.5), input);
        using var scope = torch.NewDisposeScope();
        var blurred = new GaussianBlur(2.0).Apply(input, new Random(0));
        Assert.True(Roughness(blurred) < 0.5 * Roughness(input));
        Assert.Equal(input.mean().item<float>(), blurred.mean().item<float>(), 2); // normalized kernel, mirrored borders
    }

    [Fact]
    public void MotionBlurSmearsAlongItsDirectionOnly()
    {
        using var input = Picture();
        DeterministicAndInRange(new MotionBlur((3, 9)), input);
        using var scope = torch.NewDisposeScope();
        // A horizontal streak leaves a horizontal bar (constant along x) nearly untouched but smears vertical stripes.
        var horizontal = new MotionBlur(9, 0).Apply(input, new Random(0));
        var bar = input.narrow(1, 32, 3).narrow(2, 5, 30);
        Assert.True(MaxAbsDifference(horizontal.narrow(1, 32, 3).narrow(2, 5, 30), bar) < 1e-5);
        Assert.True(MaxAbsDifference(horizontal.narrow(2, 48, 10), input.narrow(2, 48, 10)) > 0.05);
    }

    [Fact]
    public void KernelsAreNormalized()
    {
        foreach (var kernel in new[] { BlurKernels.Gaussian(1.5, 0.5, 0.7), BlurKernels.MotionLine(7.3, 1.1), BlurKernels.MotionLine(1, 0) })
        {
            var sum = 0.0;
            foreach (var v in kernel) sum += v;
            Assert.Equal(1.0, sum, 5);
            Assert.Equal(1, kernel.GetLength(0) % 2);
        }
    }

    /// <summary>Mean absolute difference between horizontal neighbours.</summary>
    private static double Roughness(Tensor x) => x.narrow(2, 1, x.size(2) - 1).sub(x.narrow(2, 0, x.size(2) - 1)).abs().mean().item<float>();
}
