using Workbench.Data.Degradations;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>How a super-resolution training input is degraded from its target (see <see cref="SrPairs.InputDegradation"/>).</summary>
/// <param name="Kernels">"any", or a comma list of <see cref="SrPairs.KernelNames"/>.</param>
/// <param name="NoiseSigmaMax">Gaussian noise σ drawn from [min(1, this), this], in 0–255 units.</param>
/// <param name="RealEsrgan">Real-ESRGAN's second-order pipeline instead of the settings before it.</param>
public sealed record SrDegradation(string Kernels, double NoiseProbability, double NoiseSigmaMax, double JpegProbability, int JpegQualityMin, int JpegQualityMax, bool RealEsrgan = false);

/// <summary>
/// Super-resolution training pairs built on the fly from prepared crops: target = a random crop of a prepared
/// image (optionally flipped/rotated), input = that crop degraded — downscaled by the scale with a random kernel
/// from the allowed set, then optionally noise, then optionally a JPEG round trip (the order of Real-ESRGAN's
/// pipeline). Every random choice comes from the item's seeded Random, so pairs are reproducible.
/// </summary>
public static class SrPairs
{
    /// <summary>The kernel names accepted in <see cref="SrDegradation.Kernels"/>.</summary>
    public static readonly IReadOnlyDictionary<string, ResizeKernel> KernelNames = new Dictionary<string, ResizeKernel>(StringComparer.OrdinalIgnoreCase)
    {
        ["area"] = ResizeKernel.Area,
        ["bicubic"] = ResizeKernel.BicubicAntialias,
        ["bilinear"] = ResizeKernel.Bilinear,
        ["nearest"] = ResizeKernel.Nearest,
    };

    /// <summary>Pairs from every image under <paramref name="trainDir"/>: <paramref name="crop"/> px targets (any of the 8
    /// symmetries with <paramref name="flips"/>) and their inputs by <paramref name="degrade"/>.</summary>
    public static IDataset<ImagePair> Create(string trainDir, int seed, int crop, bool flips, Degradation degrade)
    {
        var files = ImagesDataset.FromDirsRecursive([trainDir], seed);
        if (files.Count == 0) throw new FileNotFoundException($"no images under '{trainDir}'; build the default set with 'workbench data init'");
        return files.Select((path, random) =>
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(path);
            if (image.size(1) < crop || image.size(2) < crop)
                throw new InvalidDataException($"'{path}' is {image.size(2)}x{image.size(1)}, smaller than the {crop} px training crop");
            var target = ImageCrop.RandomCrop(image, crop, random);
            if (flips) target = Dihedral(target, random.Next(8));
            target = target.contiguous();
            var input = degrade.Apply(target, random);
            return new ImagePair(input.MoveToOuterDisposeScope(), target.MoveToOuterDisposeScope());
        });
    }

    /// <summary>Downscale (random allowed kernel) → Gaussian noise (with its probability) → JPEG (with its probability, quality never 100).</summary>
    public static Degradation InputDegradation(SrDegradation d, int scale)
    {
        if (d.RealEsrgan) return DegradationPresets.RealEsrgan(scale);
        var steps = new List<Degradation> { new Downscale(scale, ParseKernels(d.Kernels)) };
        if (d.NoiseProbability > 0)
            steps.Add(new GaussianNoise((Math.Min(1, d.NoiseSigmaMax) / 255.0, d.NoiseSigmaMax / 255.0)).WithProbability(d.NoiseProbability));
        if (d.JpegProbability > 0)
            steps.Add(new JpegCompression((d.JpegQualityMin, d.JpegQualityMax)).WithProbability(d.JpegProbability));
        return Degradation.Sequence(steps.ToArray());
    }

    /// <summary>"any", or a comma list of kernel names.</summary>
    public static IReadOnlyList<ResizeKernel> ParseKernels(string names)
    {
        if (string.Equals(names.Trim(), "any", StringComparison.OrdinalIgnoreCase)) return Downscale.AllKernels;
        return names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(n => KernelNames.TryGetValue(n, out var k) ? k
                : throw new ArgumentException($"unknown downscale kernel '{n}'; known: any, {string.Join(", ", KernelNames.Keys)}"))
            .Distinct().ToList() is { Count: > 0 } kernels ? kernels : throw new ArgumentException("downscaleKernels names no kernel");
    }

    /// <summary>One of the 8 symmetries of the square: bit 0 transposes, bit 1 flips rows, bit 2 flips columns (CHW).</summary>
    public static Tensor Dihedral(Tensor chw, int which)
    {
        var x = chw;
        if ((which & 1) != 0) x = x.transpose(1, 2);
        if ((which & 2) != 0) x = x.flip(1);
        if ((which & 4) != 0) x = x.flip(2);
        return x;
    }
}
