using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// A real JPEG round trip (OpenCV's libjpeg encoder and decoder) at a random quality: blocking, ringing and
/// chroma smearing exactly as in photos from the web. Quality 100 is refused: the seed notes found that it
/// breaks differentiable JPEG implementations, and it teaches nothing, so a range never includes it.
/// </summary>
public sealed class JpegCompression : Degradation
{
    public const int MaxQuality = 99;

    /// <param name="quality">Quality range, within [1, 99].</param>
    public JpegCompression(ValueRange quality)
    {
        if (quality.Max >= 100) throw new ArgumentOutOfRangeException(nameof(quality), $"JPEG quality must stay below 100 (got up to {quality.Max}); 100 is excluded on purpose");
        Quality = quality.Validate(nameof(quality), 1, MaxQuality);
    }

    public ValueRange Quality { get; }

    public override string Name => $"Jpeg(q {Quality})";

    /// <summary>Draws a quality: an integer in the range, never 100.</summary>
    public int SampleQuality(Random random) => Math.Min(MaxQuality, Quality.SampleInt(random));

    protected override Tensor ApplyCore(Tensor image, Random random) => RoundTrip(image, SampleQuality(random));

    /// <summary>Encodes as JPEG at <paramref name="quality"/> and decodes back (1 or 3 channels kept).</summary>
    public static Tensor RoundTrip(Tensor image, int quality)
    {
        var bytes = ImageIO.Encode(image, ImageFormat.Jpeg, quality);
        var mode = image.size(0) == 1 ? ImageMode.Gray : ImageMode.Rgb;
        return ImageIO.Decode(bytes, $"<jpeg q{quality}>", new ImageReadOptions { Mode = mode });
    }
}
