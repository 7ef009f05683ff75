namespace Workbench.Video;

/// <summary>
/// Recursive propagation along the optical flow: the stabilised planes of frame t are the frame's own prediction
/// pulled towards the stabilised planes of t-1 warped onto it, by <c>strength · confidence</c> at each pixel:
/// <code>s_t = p_t + strength · c_t · (warp(s_{t-1}) − p_t)</code>
/// where c_t is the trust the forward–backward check gives the flow (<see cref="Trust"/>). Where the flow holds, colour (or texture) follows the
/// motion instead of being re-guessed every frame, which is what flickers; where it fails (occlusions, new content)
/// and at every scene cut, the frame's own prediction is taken as it is.
/// <para>
/// Strength trades flicker for lag: at 0 the output is per-frame; near 1 a colour, once chosen, is kept for as
/// long as the flow tracks it (about 1/(1 − strength) frames of memory), so a prediction that improves, or a colour
/// that really changes, is followed late and flow errors can smear. Planes are height·width·channels floats,
/// interleaved: the chroma of a colorized frame, or the detail an upscaler adds on top of bicubic.
/// </para>
/// </summary>
public sealed class TemporalStabilizer
{
    private float[]? previous;
    private float[]? warped;

    public TemporalStabilizer(double strength)
    {
        if (!(strength is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(strength), strength, "strength must be between 0 (per-frame) and 1");
        Strength = strength;
    }

    /// <summary>The default: checked on tree.avi only (its first 4 s); Megamind.avi from 5 s on is held out (docs/video.md).</summary>
    public const double DefaultStrength = 0.8;

    public double Strength { get; }

    /// <summary>Stabilises <paramref name="prediction"/> (in place, and kept for the next frame) given how this frame moved from the last.</summary>
    public void Step(Span<float> prediction, int channels, FrameMotion motion)
    {
        var pixels = motion.Width * motion.Height;
        if (prediction.Length != pixels * channels)
            throw new ArgumentException($"the planes have {prediction.Length} values; a {motion.Width}x{motion.Height} frame of {channels} channel(s) has {pixels * channels}", nameof(prediction));
        if (previous is not null && previous.Length == prediction.Length && !motion.IsCut && Strength > 0)
        {
            warped ??= new float[prediction.Length];
            OpticalFlow.Warp(previous, channels, motion.Width, motion.Height, motion.Back, warped);
            var confidence = motion.Confidence;
            var strength = (float)Strength;
            for (var i = 0; i < pixels; i++)
            {
                var k = strength * Trust(confidence[i]);
                if (k == 0) continue;
                for (int c = 0, j = i * channels; c < channels; c++, j++) prediction[j] += k * (warped[j] - prediction[j]);
            }
        }
        if (previous is null || previous.Length != prediction.Length) previous = new float[prediction.Length];
        prediction.CopyTo(previous);
    }

    /// <summary>
    /// How much of the propagated value a pixel takes, from its flow confidence: all of it where the forward–backward
    /// check passes (confidence ≥ e⁻¹), fading to nothing as the round trip misses by more. Under fast motion most
    /// round trips miss by a fraction of the tolerance; weighting those by the confidence itself (0.4–0.9) left a
    /// third or more of each frame's re-guess in place where the flow was sound.
    /// </summary>
    public static float Trust(float confidence) => Math.Min(1f, confidence / OpticalFlow.Reliable);
}
