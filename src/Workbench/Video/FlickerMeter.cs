namespace Workbench.Video;

/// <summary>
/// Temporal flicker as the warping error of Lai et al., "Learning Blind Video Temporal Consistency" (ECCV 2018):
/// the difference between output frame t and output frame t-1 warped onto it along the flow of the <em>original</em>
/// frames, averaged over the pixels where that flow passes the forward–backward check (non-occluded). Here the
/// difference is the Euclidean distance of CIE a*b* (colour only: a colorizer's own flicker), so the unit is the
/// Lab chroma error's. Frames that start a shot have no error (NaN).
/// </summary>
public sealed class FlickerMeter
{
    private float[]? previous;
    private float[]? warped;

    /// <summary>The error of this frame's a*b* planes (H, W, 2 interleaved) against the last frame's, given the original's motion; NaN for the first frame of a shot.</summary>
    public double Next(float[] ab, FrameMotion motion)
    {
        var error = previous is null || motion.IsCut ? double.NaN : WarpingError(previous, ab, motion, warped ??= new float[ab.Length]);
        previous = ab;
        return error;
    }

    /// <summary>Mean a*b* distance between <paramref name="current"/> and <paramref name="last"/> warped by the motion's back flow, over reliable pixels; NaN where none is reliable.</summary>
    public static double WarpingError(ReadOnlySpan<float> last, ReadOnlySpan<float> current, FrameMotion motion, Span<float> scratch)
    {
        OpticalFlow.Warp(last, 2, motion.Width, motion.Height, motion.Back, scratch);
        double sum = 0;
        long count = 0;
        for (var i = 0; i < motion.Width * motion.Height; i++)
        {
            if (motion.Confidence[i] < OpticalFlow.Reliable) continue;
            var (da, db) = (current[2 * i] - scratch[2 * i], current[2 * i + 1] - scratch[2 * i + 1]);
            sum += Math.Sqrt(da * da + db * db);
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }
}
