using System.Net;

namespace Workbench.Display;

/// <summary>A PNG image with an optional caption, shown inline in a notebook.</summary>
public sealed class ImageDisplay : IMimeRenderable
{
    private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

    public ImageDisplay(byte[] png, string? caption = null)
    {
        ArgumentNullException.ThrowIfNull(png);
        if (png.Length < 24 || !png.AsSpan(0, 8).SequenceEqual(PngSignature)) throw new ArgumentException("not PNG data (bad signature)", nameof(png));
        Png = png;
        Caption = caption;
        // The IHDR chunk always comes first: width and height are big-endian at bytes 16 and 20.
        Width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        Height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
    }

    public static ImageDisplay FromFile(string path, string? caption = null) => new(File.ReadAllBytes(path), caption ?? Path.GetFileName(path));

    public byte[] Png { get; }

    public string? Caption { get; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Width in CSS pixels to draw at (null: natural size). Small images look better scaled up.</summary>
    public int? DisplayWidth { get; init; }

    public IReadOnlyDictionary<string, string> ToMimeBundle()
    {
        var bundle = new Dictionary<string, string>
        {
            [MimeTypes.PlainText] = ToString(),
            [MimeTypes.Png] = Convert.ToBase64String(Png),
        };
        // Without a caption or scaling the bare PNG is the best output (nbconvert and every front end show it).
        if (Caption is not null || DisplayWidth is not null) bundle[MimeTypes.Html] = ToHtml();
        return bundle;
    }

    /// <summary>A &lt;figure&gt; with the image inlined as a data URI and the caption below it.</summary>
    public string ToHtml()
    {
        var width = DisplayWidth is { } w ? $" width=\"{w}\"" : "";
        var img = $"<img src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\"{width} style=\"image-rendering:pixelated\" alt=\"{WebUtility.HtmlEncode(Caption ?? "image")}\"/>";
        var caption = Caption is null ? "" : $"<figcaption style=\"text-align:center\">{WebUtility.HtmlEncode(Caption)}</figcaption>";
        return $"<figure style=\"display:inline-block;margin:4px\">{img}{caption}</figure>";
    }

    public override string ToString() => $"Image {Width}x{Height}" + (Caption is null ? "" : $" \"{Caption}\"");
}
