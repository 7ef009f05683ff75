using Workbench.Video;

namespace Workbench.Tests.Video;

public sealed class FlickerMeterTests
{
    private const int Width = 96, Height = 72;

    /// <summary>a*b* planes that move with the texture (smooth, so warping is near exact), a* shifted by <paramref name="offset"/>.</summary>
    private static float[] Chroma(int t, double offset = 0)
    {
        var ab = new float[Width * Height * 2];
        for (var y = 0; y < Height; y++)
            for (var x = 0; x < Width; x++)
            {
                var (sx, sy) = (x - 2.0 * t, y - 1.0 * t);
                ab[2 * (y * Width + x)] = (float)(20 * Math.Sin(sx / 15.0) + offset);
                ab[2 * (y * Width + x) + 1] = (float)(15 * Math.Cos(sy / 12.0));
            }
        return ab;
    }

    /// <summary>Mean flicker over frames 1.., and the stabilised one at this strength when given.</summary>
    private static double MeanFlicker(Func<int, float[]> chroma, double? strength = null, int frames = 8)
    {
        var tracker = new MotionTracker(Width, Height);
        var meter = new FlickerMeter();
        var stabilizer = strength is { } s ? new TemporalStabilizer(s) : null;
        var errors = new List<double>();
        for (var t = 0; t < frames; t++)
        {
            var motion = tracker.Next(SyntheticVideo.Gray(Width, Height, t));
            var ab = chroma(t);
            stabilizer?.Step(ab, 2, motion);
            var e = meter.Next(ab, motion);
            if (t > 0) errors.Add(e);
        }
        return errors.Average();
    }

    [Fact]
    public void ColourThatMovesWithThePictureDoesNotFlicker() => Assert.InRange(MeanFlicker(t => Chroma(t)), 0, 0.3);

    [Fact]
    public void AnAStarThatAlternatesBy2dFlickersBy2d()
    {
        // a* jumps between +5 and -5 on top of colour that follows the motion: every pair differs by 10 in a*, 0 in b*.
        Assert.InRange(MeanFlicker(t => Chroma(t, t % 2 == 0 ? 5 : -5)), 9.6, 10.4);
    }

    [Fact]
    public void TheStabiliserHalvesFlickerWithoutDriftingFromSteadyColour()
    {
        var noisy = MeanFlicker(t => Chroma(t, t % 2 == 0 ? 5 : -5));
        var stabilised = MeanFlicker(t => Chroma(t, t % 2 == 0 ? 5 : -5), strength: 0.8);
        Assert.True(stabilised < 0.5 * noisy, $"per-frame {noisy:F2}, stabilised {stabilised:F2}");
        // Colour that is already steady comes through (nearly) unchanged: no drift from warping it again and again.
        var tracker = new MotionTracker(Width, Height);
        var stabilizer = new TemporalStabilizer(0.8);
        double worst = 0;
        for (var t = 0; t < 8; t++)
        {
            var ab = Chroma(t);
            stabilizer.Step(ab, 2, tracker.Next(SyntheticVideo.Gray(Width, Height, t)));
            var exact = Chroma(t);
            // The border band where content enters from outside is the frame's own prediction anyway.
            for (var y = 8; y < Height - 8; y++)
                for (var x = 8; x < Width - 8; x++)
                    worst = Math.Max(worst, Math.Abs(ab[2 * (y * Width + x)] - exact[2 * (y * Width + x)]));
        }
        Assert.True(worst < 1.5, $"largest a* change {worst:F2}");
    }
}
