using Workbench.Data.Degradations;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>Colorization (and DeFade) training pairs, made on the fly from colour photos.</summary>
public static class ColorizePairs
{
    /// <summary>The degradation that makes a training input from a colour crop: film-like grayscale, or fading.</summary>
    public static Degradation InputDegradation(string task) => task switch
    {
        "colorize" => DegradationPresets.OldBlackAndWhite(),
        "defade" => DegradationPresets.DeFade(),
        _ => throw new ArgumentException($"unknown task '{task}'; known: colorize, defade"),
    };

    /// <summary>A random crop of a colour image at <paramref name="size"/> (upscaled when the image is smaller), flipped half the time, and its degraded input.</summary>
    public static IDataset<ImagePair> Create(IReadOnlyList<string> files, int size, Degradation degradation) =>
        Dataset.FromList(files).Select((file, random) =>
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(file);
            var (h, w) = ((int)image.size(1), (int)image.size(2));
            if (h < size || w < size)
            {
                var scale = (double)size / Math.Min(h, w);
                image = ImageResize.Resize(image, Math.Max(size, (int)Math.Ceiling(h * scale)), Math.Max(size, (int)Math.Ceiling(w * scale))).clamp(0, 1);
            }
            var target = ImageCrop.RandomCrop(image, size, random);
            if (random.NextDouble() < 0.5) target = target.flip(2);
            target = target.contiguous();
            var input = degradation.Apply(target, random);
            return new ImagePair(input.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
        });
}
