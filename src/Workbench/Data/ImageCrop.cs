using Workbench.Torch;

namespace Workbench.Data;

/// <summary>A rectangle of an image, in pixels.</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width)
{
    /// <summary>The same region at <paramref name="factor"/> times the resolution: the high-resolution box of a super-resolution pair.</summary>
    public CropBox Scale(int factor) => new(Top * factor, Left * factor, Height * factor, Width * factor);
}

/// <summary>
/// Crops of CHW or NCHW images, named as torchvision.transforms.functional (crop, center_crop, RandomCrop).
/// Crops are views sharing the image's storage; call .contiguous() or .clone() to own the pixels.
/// </summary>
public static class ImageCrop
{
    /// <summary>The pixels in <paramref name="box"/>, which must lie inside the image (torchvision would pad; a crop past the edge here is a bug).</summary>
    public static Tensor Crop(Tensor image, CropBox box)
    {
        var (h, w) = Size(image);
        if (box.Height <= 0 || box.Width <= 0 || box.Top < 0 || box.Left < 0 || box.Top + box.Height > h || box.Left + box.Width > w)
            throw new ArgumentOutOfRangeException(nameof(box), box, $"crop does not fit inside the {h}x{w} image");
        return image.narrow(-2, box.Top, box.Height).narrow(-1, box.Left, box.Width);
    }

    public static Tensor Crop(Tensor image, int top, int left, int height, int width) => Crop(image, new CropBox(top, left, height, width));

    /// <summary>The central <paramref name="height"/> x <paramref name="width"/> pixels; offsets rounded as torchvision rounds them (half to even).</summary>
    public static Tensor CenterCrop(Tensor image, int height, int width)
    {
        var (h, w) = Size(image);
        var top = (int)Math.Round((h - height) / 2.0, MidpointRounding.ToEven);
        var left = (int)Math.Round((w - width) / 2.0, MidpointRounding.ToEven);
        return Crop(image, new CropBox(top, left, height, width));
    }

    public static Tensor CenterCrop(Tensor image, int size) => CenterCrop(image, size, size);

    /// <summary>A uniformly placed box of the given size inside an image (torchvision's RandomCrop.get_params).</summary>
    public static CropBox RandomCropBox(int imageHeight, int imageWidth, int height, int width, Random random)
    {
        if (height > imageHeight || width > imageWidth)
            throw new ArgumentException($"a {height}x{width} crop does not fit inside a {imageHeight}x{imageWidth} image");
        return new CropBox(random.Next(imageHeight - height + 1), random.Next(imageWidth - width + 1), height, width);
    }

    /// <summary>A random <paramref name="height"/> x <paramref name="width"/> crop; the same box for every image of a batch.</summary>
    public static Tensor RandomCrop(Tensor image, int height, int width, Random random)
    {
        var (h, w) = Size(image);
        return Crop(image, RandomCropBox(h, w, height, width, random));
    }

    public static Tensor RandomCrop(Tensor image, int size, Random random) => RandomCrop(image, size, size, random);

    /// <summary>Every non-overlapping <paramref name="size"/> x <paramref name="size"/> tile, row by row from the top left; a remainder at the right and bottom is left out.</summary>
    public static IReadOnlyList<CropBox> GridCropBoxes(int imageHeight, int imageWidth, int size)
    {
        if (size <= 0) throw new ArgumentOutOfRangeException(nameof(size), size, "tile size must be positive");
        var boxes = new List<CropBox>();
        for (var top = 0; top + size <= imageHeight; top += size)
            for (var left = 0; left + size <= imageWidth; left += size)
                boxes.Add(new CropBox(top, left, size, size));
        return boxes;
    }

    /// <summary>The tiles of <see cref="GridCropBoxes"/> as views of the image.</summary>
    public static Tensor[] GridCrops(Tensor image, int size)
    {
        var (h, w) = Size(image);
        return GridCropBoxes(h, w, size).Select(box => Crop(image, box)).ToArray();
    }

    private static (int Height, int Width) Size(Tensor image)
    {
        if (image.dim() is not (3 or 4)) throw new ArgumentException($"expected a CHW or NCHW image, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        return ((int)image.size(-2), (int)image.size(-1));
    }
}
