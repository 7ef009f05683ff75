using Workbench.Video;

namespace Workbench.Tests.Video;

public sealed class SceneCutDetectorTests
{
    private static List<long> CutsOf(int frames, int? cutAt)
    {
        var tracker = new MotionTracker(96, 72);
        for (var t = 0; t < frames; t++) tracker.Next(SyntheticVideo.Gray(96, 72, t, scene: t >= cutAt ? 1 : 0));
        return tracker.Cuts;
    }

    [Fact]
    public void ASyntheticCutIsFoundAndNothingElse() => Assert.Equal([0L, 7L], CutsOf(14, cutAt: 7));

    [Fact]
    public void MotionWithinAShotIsNotACut() => Assert.Equal([0L], CutsOf(10, cutAt: null));

    [Fact]
    public void TheHistogramDistanceIsZeroForTheSameFrameAndOneForDisjointOnes()
    {
        var dark = new byte[100];
        var light = Enumerable.Repeat((byte)250, 100).ToArray();
        Assert.Equal(0, SceneCutDetector.HistogramDistance(dark, dark));
        Assert.Equal(1, SceneCutDetector.HistogramDistance(dark, light));
    }
}
