using Workbench.Torch;

using static Workbench.Data.Imaging.ImagingNative;

namespace Workbench.Data.Imaging;

/// <summary>Text in OpenCV's Hershey fonts (cv::HersheyFonts; 16 makes them italic), for watermarks and captions.</summary>
internal static class HersheyText
{
    /// <summary>The box cv::putText would draw: width, height above the baseline, and the baseline's depth below it.</summary>
    public static (int Width, int Height, int Baseline) Size(string text, int font, double scale, int thickness)
    {
        Check(wbi_text_size(text, font, scale, thickness, out var width, out var height, out var baseline));
        return (width, height, baseline);
    }

    /// <summary>
    /// An (height, width) float32 mask in [0, 1]: the anti-aliased coverage of <paramref name="text"/> drawn with its
    /// baseline starting at (x, y) (y down), clipped to the image.
    /// </summary>
    public static Tensor Mask(long height, long width, string text, int font, double scale, int thickness, int x, int y)
    {
        if (height <= 0 || width <= 0) throw new ArgumentOutOfRangeException(nameof(height), $"mask size must be positive, got {height}x{width}");
        var mask = torch.empty([height, width], ScalarType.Float32);
        try
        {
            Check(wbi_text_mask(mask.data_ptr(), checked((int)height), checked((int)width), text, font, scale, thickness, x, y));
            return mask;
        }
        catch
        {
            mask.Dispose();
            throw;
        }
    }
}
