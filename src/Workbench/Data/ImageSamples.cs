using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>
/// An image file's samples exactly as stored, as <c>cv2.imread(path, cv2.IMREAD_UNCHANGED)</c> returns them but in
/// RGB(A) order: (H, W, C) with C = 1 (gray), 3 or 4, uint8 for 8-bit files and int32 holding 0..65535 for 16-bit
/// ones. No EXIF rotation (OpenCV's TIFF decoder applies the TIFF tag itself), no float conversion: Real-ESRGAN's
/// pipeline decides 8 or 16 bits and the gray/RGB/RGBA mode from exactly this.
/// </summary>
public static class ImageSamples
{
    /// <exception cref="ImageDecodeException">The file is not a decodable 8- or 16-bit image.</exception>
    public static Tensor Read(string path, long maxPixels = ImageReadOptions.DefaultMaxPixels)
    {
        var data = File.ReadAllBytes(path);
        ImageInfo info;
        try
        {
            info = ImageHeader.Parse(data, requireComplete: true, maxPixels);
        }
        catch (FormatException e)
        {
            throw new ImageDecodeException(path, e.Message, e);
        }
        Tensor hwc;
        try
        {
            hwc = ImageCodec.Decode(data);
        }
        catch (ImagingException e)
        {
            throw new ImageDecodeException(path, $"{ImageIO.Name(info.Format)}: {e.Message}", e);
        }
        if (hwc.dtype is not (ScalarType.UInt8 or ScalarType.Int32))
        {
            hwc.Dispose();
            throw new ImageDecodeException(path, "floating-point samples; only 8- and 16-bit images are upscaled");
        }
        if (hwc.size(2) == 2)
        {
            hwc.Dispose();
            throw new ImageDecodeException(path, "2 channels (gray + alpha as stored by this TIFF); only gray, RGB and RGBA are upscaled");
        }
        return hwc;
    }
}
