using Workbench.Data.Degradations;
using Workbench.Torch;

using static Workbench.Tests.Data.Degradations.DegradationAssert;

namespace Workbench.Tests.Data.Degradations;

public class JpegCompressionTests
{
    [Fact]
    public void QualityIsNeverOneHundred()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegCompression((90, 100)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegCompression(100));
        Assert.Throws<ArgumentOutOfRangeException>(() => new JpegCompression((0, 50)));
        var jpeg = new JpegCompression((95, 99));
        var random = new Random(4);
        var drawn = Enumerable.Range(0, 2000).Select(_ => jpeg.SampleQuality(random)).ToHashSet();
        Assert.Equal(new[] { 95, 96, 97, 98, 99 }, drawn.Order());
    }

    [Fact]
    public void RoundTripIsDeterministicAndLowerQualityLosesMore()
    {
        using var input = Picture();
        DeterministicAndInRange(new JpegCompression((10, 90)), input);
        DeterministicAndInRange(new JpegCompression((10, 90)), Picture(channels: 1), [1, 48, 64]);
        using var scope = torch.NewDisposeScope();
        var poor = MaxAbsDifference(JpegCompression.RoundTrip(input, 10), input);
        var good = MaxAbsDifference(JpegCompression.RoundTrip(input, 95), input);
        Assert.True(poor > 2 * good, $"q10 error {poor}, q95 error {good}");
    }
}
