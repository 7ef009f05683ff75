using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// A faded photo, the DeFade training input (DeOldify: "some contrast/brightness adjustments to simulate
/// faded photos and pictures taken with old/bad equipment"): lower contrast, a brightness shift, washed-out
/// colour, lifted blacks and dimmed whites, and an aged tint (sepia toning and yellowing). Every amount is
/// drawn from its range; a 1-channel image gets the tonal changes only.
/// </summary>
public sealed class Fade : Degradation
{
    // The classic sepia toning matrix (rows: output R, G, B): warm brown tones of an aged print.
    private static readonly float[] SepiaMatrix = [0.393f, 0.769f, 0.189f, 0.349f, 0.686f, 0.168f, 0.272f, 0.534f, 0.131f];

    /// <param name="contrast">Contrast kept (1 = unchanged), pulled towards the image's mean.</param>
    /// <param name="brightness">Added to every value.</param>
    /// <param name="saturation">Colour kept (1 = unchanged, 0 = gray).</param>
    /// <param name="blackLift">How far black rises (faded shadows).</param>
    /// <param name="whiteDrop">How far white falls (dull highlights).</param>
    /// <param name="sepia">Blend towards the sepia-toned image (0 = none).</param>
    /// <param name="yellowing">Blue (and some green) lost to an aged, yellowed print (0 = none).</param>
    public Fade(
        ValueRange? contrast = null, ValueRange? brightness = null, ValueRange? saturation = null,
        ValueRange? blackLift = null, ValueRange? whiteDrop = null, ValueRange? sepia = null, ValueRange? yellowing = null)
    {
        Contrast = (contrast ?? new ValueRange(0.45, 0.9)).Validate(nameof(contrast), 0, 2);
        Brightness = (brightness ?? new ValueRange(-0.08, 0.15)).Validate(nameof(brightness), -1, 1);
        Saturation = (saturation ?? new ValueRange(0.2, 0.85)).Validate(nameof(saturation), 0, 2);
        BlackLift = (blackLift ?? new ValueRange(0, 0.15)).Validate(nameof(blackLift), 0, 1);
        WhiteDrop = (whiteDrop ?? new ValueRange(0, 0.12)).Validate(nameof(whiteDrop), 0, 1);
        Sepia = (sepia ?? new ValueRange(0, 0.5)).Validate(nameof(sepia), 0, 1);
        Yellowing = (yellowing ?? new ValueRange(0, 0.3)).Validate(nameof(yellowing), 0, 1);
    }

    public ValueRange Contrast { get; }

    public ValueRange Brightness { get; }

    public ValueRange Saturation { get; }

    public ValueRange BlackLift { get; }

    public ValueRange WhiteDrop { get; }

    public ValueRange Sepia { get; }

    public ValueRange Yellowing { get; }

    public override string Name => $"Fade(contrast {Contrast}, saturation {Saturation}, sepia {Sepia}, yellowing {Yellowing})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        // Draw every amount up front, in a fixed order, so the draws do not depend on the channel count.
        var (contrast, brightness, saturation) = (Contrast.Sample(random), Brightness.Sample(random), Saturation.Sample(random));
        var (lift, drop) = (BlackLift.Sample(random), WhiteDrop.Sample(random));
        var (sepia, yellowing) = (Sepia.Sample(random), Yellowing.Sample(random));

        var x = image;
        if (x.size(0) == 3)
        {
            var luma = Luma.Of(x);
            x = luma.add(x.sub(luma).mul(saturation));
            if (sepia > 0) x = x.lerp(ApplyMatrix(x, SepiaMatrix), sepia);
            if (yellowing > 0) x = x.mul(torch.tensor(new[] { 1f, (float)(1 - 0.3 * yellowing), (float)(1 - yellowing) }, [3, 1, 1]));
        }
        var mean = x.mean();
        x = x.sub(mean).mul(contrast).add(mean).add(brightness);
        // Tone range squeezed into [lift, 1 - drop]: the paper no longer holds deep blacks or clean whites.
        return x.clamp(0.0, 1.0).mul(1 - lift - drop).add(lift);
    }

    /// <summary>out[c] = sum_k m[c, k] * x[k] for a CHW image and a row-major 3x3 matrix.</summary>
    internal static Tensor ApplyMatrix(Tensor chw, float[] matrix)
    {
        var m = torch.tensor(matrix, [3, 3]);
        return m.matmul(chw.reshape(3, -1)).reshape(chw.shape);
    }
}
