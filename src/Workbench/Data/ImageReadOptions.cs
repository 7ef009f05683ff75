namespace Workbench.Data;

/// <summary>The channel layout <see cref="ImageIO.Read"/> returns (Pillow's convert modes RGB, RGBA, L, LA).</summary>
public enum ImageMode
{
    /// <summary>3 channels. Gray is replicated; alpha is composited over <see cref="ImageReadOptions.Background"/>.</summary>
    Rgb,

    /// <summary>4 channels; alpha is 1 where the file has none.</summary>
    Rgba,

    /// <summary>1 channel: luma 0.299 R + 0.587 G + 0.114 B (ITU-R 601, as Pillow's "L"), after compositing alpha.</summary>
    Gray,

    /// <summary>2 channels: luma (of the colours before compositing) and alpha.</summary>
    GrayAlpha,
}

/// <summary>How <see cref="ImageIO"/> turns a file into a tensor.</summary>
public sealed record ImageReadOptions
{
    /// <summary>
    /// Pillow's decompression-bomb error threshold (2 x Image.MAX_IMAGE_PIXELS): an RGB float32 tensor of this
    /// many pixels already takes 2 GiB.
    /// </summary>
    public const long DefaultMaxPixels = 178_956_970;

    public static ImageReadOptions Default { get; } = new();

    /// <summary>Output channels; RGB by default, as the training code expects.</summary>
    public ImageMode Mode { get; init; } = ImageMode.Rgb;

    /// <summary>Colour (RGB in [0, 1]) that transparent pixels are composited over in <see cref="ImageMode.Rgb"/> and <see cref="ImageMode.Gray"/>; white as a viewer shows them.</summary>
    public (float R, float G, float B) Background { get; init; } = (1f, 1f, 1f);

    /// <summary>Turn the pixels as the EXIF/TIFF orientation tag says (photos from a phone held sideways); true by default.</summary>
    public bool ApplyOrientation { get; init; } = true;

    /// <summary>Files whose header claims more pixels than this are refused before decoding.</summary>
    public long MaxPixels { get; init; } = DefaultMaxPixels;
}
