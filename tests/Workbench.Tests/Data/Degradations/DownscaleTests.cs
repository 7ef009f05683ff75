using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class DownscaleTests
{
    [Theory]
    [InlineData(2, 24, 32)]
    [InlineData(4, 12, 16)]
    [InlineData(3, 16, 21)]
    public void ShrinksByTheFactorWithAnyKernel(double factor, long h, long w)
    {
        using var input = Picture();
        foreach (var kernel in Downscale.AllKernels)
            DeterministicAndInRange(new Downscale(factor, kernel), input, [3, h, w], seedsMustDiffer: false);
        DeterministicAndInRange(new Downscale(factor), input, [3, h, w]); // a random kernel per call
    }

    [Fact]
    public void KernelsGiveDifferentResultsAndAreaAveragesExactly()
    {
        using var scope = torch.NewDisposeScope();
        var input = Picture();
        // At x4 every kernel differs (at x2 plain bilinear samples between 2x2 pixels, i.e. equals area).
        var outputs = Downscale.AllKernels.Select(k => new Downscale(4, k).Apply(input, new Random(0)).data<float>()).ToList();
        Assert.Equal(outputs.Count, outputs.Select(o => string.Join(",", o)).Distinct().Count());
        // Area at x2 is the mean of each 2x2 block.
        var area = new Downscale(2, ResizeKernel.Area).Apply(input, new Random(0));
        var blocks = input.reshape(3, 24, 2, 32, 2).mean([2L, 4L]);
        Assert.True(MaxAbsDifference(area, blocks) < 1e-6);
    }

    [Fact]
    public void RestoreSizeKeepsTheInputShapeButLosesDetail()
    {
        using var scope = torch.NewDisposeScope();
        var input = Picture();
        var restored = new Downscale(4, ResizeKernel.BicubicAntialias, restoreSize: true).Apply(input, new Random(0));
        Assert.Equal(input.shape, restored.shape);
        Assert.True(MaxAbsDifference(restored, input) > 0.05);
    }

    [Fact]
    public void RandomResizeAndResizeToReachTheirSizes()
    {
        using var input = Picture();
        DeterministicAndInRange(new ResizeTo(10, 20), input, [3, 10, 20]);
        using var scope = torch.NewDisposeScope();
        var resized = new RandomResize((0.5, 0.5)).Apply(input, new Random(3));
        Assert.Equal(new long[] { 3, 24, 32 }, resized.shape);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Downscale(0.5));
    }
}
