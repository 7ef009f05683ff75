using System.Text;

using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// Overlays a text watermark, as fastai's "crappify" does to teach a model to remove captions and stamps:
/// random text (or a fixed one), Hershey font, size, stroke, position (possibly running off an edge),
/// colour and opacity, drawn anti-aliased by OpenCV's putText.
/// </summary>
public sealed class TextWatermark : Degradation
{
    private const string DefaultAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 ©@#.-";

    // OpenCV's Hershey fonts (cv::HersheyFonts); 16 makes them italic.
    private static readonly int[] Fonts = [0, 1, 2, 3, 4, 5, 6, 7];
    private const int Italic = 16;

    /// <param name="textHeight">Text height as a fraction of the image height.</param>
    /// <param name="opacity">Opacity range (1 = opaque).</param>
    /// <param name="length">Length range of random text (ignored when <paramref name="text"/> is given).</param>
    /// <param name="text">Fixed text, or null for random text.</param>
    public TextWatermark(ValueRange? textHeight = null, ValueRange? opacity = null, ValueRange? length = null, string? text = null)
    {
        TextHeight = (textHeight ?? new ValueRange(0.06, 0.25)).Validate(nameof(textHeight), 0.005, 2);
        Opacity = (opacity ?? new ValueRange(0.35, 1.0)).Validate(nameof(opacity), 0, 1);
        Length = (length ?? new ValueRange(1, 12)).Validate(nameof(length), 1, 200);
        if (text is not null && (text.Length == 0 || text.Any(ch => ch < 32 || ch > 126)))
            throw new ArgumentException("watermark text must be non-empty printable ASCII (Hershey fonts have no other glyphs)", nameof(text));
        Text = text;
    }

    public ValueRange TextHeight { get; }

    public ValueRange Opacity { get; }

    public ValueRange Length { get; }

    public string? Text { get; }

    public override string Name => $"TextWatermark({(Text is null ? "random text" : $"\"{Text}\"")}, height {TextHeight}, opacity {Opacity})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var (h, w) = (image.size(1), image.size(2));
        var text = Text ?? RandomText(random, Length.SampleInt(random));
        var font = Fonts[random.Next(Fonts.Length)] | (random.NextDouble() < 0.2 ? Italic : 0);
        var thicknessFactor = 0.5 + random.NextDouble() * 2; // thin to bold strokes

        // Scale the font so the cap height is the drawn fraction of the image height.
        var (_, unitHeight, _) = HersheyText.Size(text, font, 1.0, 1);
        var scale = TextHeight.Sample(random) * h / Math.Max(1, unitHeight);
        var thickness = Math.Max(1, (int)Math.Round(scale * thicknessFactor));
        var (tw, th, _) = HersheyText.Size(text, font, scale, thickness);

        // Mostly inside; a quarter of the text may run off any edge, as with stamps on cropped photos.
        var x = (int)Math.Round(-tw * 0.25 + random.NextDouble() * Math.Max(1, w - tw * 0.5));
        var y = (int)Math.Round(th * 0.75 + random.NextDouble() * Math.Max(1, h - th * 0.5));

        var mask = HersheyText.Mask(h, w, text, font, scale, thickness, x, y).unsqueeze(0); // (1, H, W)
        var alpha = mask.mul(Opacity.Sample(random));
        var color = InkColor(random, image.size(0));
        // out = image * (1 - alpha) + color * alpha
        return image.add(color.sub(image).mul(alpha));
    }

    private static string RandomText(Random random, int length)
    {
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++) sb.Append(DefaultAlphabet[random.Next(DefaultAlphabet.Length)]);
        var text = sb.ToString().Trim();
        return text.Length > 0 ? text : "0";
    }

    /// <summary>White or black half the time (the usual stamps), otherwise a random colour.</summary>
    private static Tensor InkColor(Random random, long channels)
    {
        var kind = random.NextDouble();
        float[] rgb = kind < 0.35 ? [1f, 1f, 1f] : kind < 0.5 ? [0f, 0f, 0f] : [random.NextSingle(), random.NextSingle(), random.NextSingle()];
        if (channels == 1) rgb = [0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2]];
        return torch.tensor(rgb, [channels, 1, 1]);
    }
}
