using System.Numerics;

using Workbench.Torch;

namespace Workbench.Data;

/// <summary>What <see cref="PhotoChecks.Measure"/> found in an image.</summary>
/// <param name="Colorfulness">Hasler and Süsstrunk's colourfulness at 256 px wide (gray ≈ 0, photos here 13–130).</param>
/// <param name="FlatFraction">Share of 8×8 blocks whose luma varies by under 1/255 (std): flat fills of drawings and renders.</param>
/// <param name="Hash">64-bit difference hash (dHash) of the 9×8 gray thumbnail: near-duplicates differ in a few bits.</param>
public sealed record PhotoStats(double Colorfulness, double FlatFraction, ulong Hash);

/// <summary>
/// The automatic half of choosing training photos for colorization (the other half is a look at a contact sheet,
/// recorded in <see cref="ColorCorpus"/>'s catalogue): gray sources teach nothing about colour, flat-filled
/// graphics teach the wrong colours, and a photo shipped twice (resized, re-encoded) must count once and never sit
/// in both the training and the test split.
/// </summary>
public static class PhotoChecks
{
    /// <summary>Below this colourfulness a source is treated as gray (sepia and near-gray scans).</summary>
    public const double MinColorfulness = 10;

    /// <summary>Above this share of flat 8×8 blocks a source is treated as a drawing or render.</summary>
    public const double MaxFlatFraction = 0.3;

    /// <summary>dHashes at most this many bits apart are the same picture.</summary>
    public const int DuplicateBits = 6;

    /// <summary>Measures an RGB (3, H, W) image in [0, 1].</summary>
    public static PhotoStats Measure(Tensor image)
    {
        if (image.dim() != 3 || image.size(0) != 3) throw new ArgumentException($"expected a (3, H, W) RGB image, got [{string.Join(", ", image.shape)}]", nameof(image));
        using var scope = torch.NewDisposeScope();
        var (h, w) = (image.size(1), image.size(2));
        var height = (int)Math.Max(8, Math.Round(256.0 * h / w));
        var small = ImageResize.Resize(image, height, 256, InterpolationMode.Area).clamp(0, 1);
        var colorfulness = Colorfulness.Compute(small).item<float>();
        var luma = ColorSpace.Luma(small).squeeze(0) * 255;                  // (h, 256)
        var (bh, bw) = (luma.size(0) / 8, luma.size(1) / 8);
        var blocks = luma.narrow(0, 0, bh * 8).reshape(bh, 8, bw, 8).permute(0, 2, 1, 3).reshape(bh * bw, 64);
        var flat = (blocks.std(1) < 1.0).to(ScalarType.Float32).mean().item<float>();
        return new PhotoStats(colorfulness, flat, DifferenceHash(image));
    }

    /// <summary>Why a source is not a colour photograph, or null when it passes.</summary>
    public static string? Rejection(PhotoStats stats) =>
        stats.Colorfulness < MinColorfulness ? $"gray or nearly (colourfulness {stats.Colorfulness:F1} < {MinColorfulness})"
        : stats.FlatFraction > MaxFlatFraction ? $"flat fills of a drawing or render ({stats.FlatFraction:P0} of 8x8 blocks flat > {MaxFlatFraction:P0})"
        : null;

    public static int HammingDistance(ulong a, ulong b) => BitOperations.PopCount(a ^ b);

    public static bool SamePicture(PhotoStats a, PhotoStats b) => HammingDistance(a.Hash, b.Hash) <= DuplicateBits;

    /// <summary>dHash: the gray image shrunk to 9×8 (area), one bit per horizontal neighbour pair (left brighter).</summary>
    public static ulong DifferenceHash(Tensor image)
    {
        using var scope = torch.NewDisposeScope();
        var gray = ColorSpace.Luma(image.size(0) == 3 ? image : image.expand(3, -1, -1));
        var tiny = ImageResize.Resize(gray, 8, 9, InterpolationMode.Area).squeeze(0).contiguous().data<float>(); // 8 rows × 9
        ulong hash = 0;
        for (var row = 0; row < 8; row++)
            for (var col = 0; col < 8; col++)
                if (tiny[row * 9 + col] > tiny[row * 9 + col + 1]) hash |= 1UL << (row * 8 + col);
        return hash;
    }
}
