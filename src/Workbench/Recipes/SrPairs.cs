using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Torch;

namespace Workbench.Recipes;

/// <summary>
/// Super-resolution training pairs built on the fly from prepared crops: target = a random crop of a prepared
/// image (optionally flipped/rotated), input = that crop degraded — downscaled by the scale with a random kernel
/// from the allowed set, then optionally noise, then optionally a JPEG round trip (the order of Real-ESRGAN's
/// pipeline). Every random choice comes from the item's seeded Random, so pairs are reproducible.
/// </summary>
public static class SrPairs
{
    /// <summary>The kernel names accepted in <see cref="SrTrainingConfig.DownscaleKernels"/>.</summary>
    public static readonly IReadOnlyDictionary<string, ResizeKernel> KernelNames = new Dictionary<string, ResizeKernel>(StringComparer.OrdinalIgnoreCase)
    {
        ["area"] = ResizeKernel.Area,
        ["bicubic"] = ResizeKernel.BicubicAntialias,
        ["bilinear"] = ResizeKernel.Bilinear,
        ["nearest"] = ResizeKernel.Nearest,
    };

    /// <summary>Pairs from every image under <paramref name="config"/>.TrainDir, at <paramref name="scale"/> (the data's scale, x4 for an applied-twice x2 net).</summary>
    public static IDataset<ImagePair> Create(SrTrainingConfig config, int scale)
    {
        var files = ImagesDataset.FromDirsRecursive([config.TrainDir], config.Seed);
        if (files.Count == 0) throw new FileNotFoundException($"no images under '{config.TrainDir}'; build the default set with 'workbench data init'");
        var degrade = InputDegradation(config, scale);
        var crop = config.CropSize;
        var flips = config.Flips;
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
    public static Degradation InputDegradation(SrTrainingConfig config, int scale)
    {
        var steps = new List<Degradation> { new Downscale(scale, ParseKernels(config.DownscaleKernels)) };
        if (config.NoiseProbability > 0)
            steps.Add(new GaussianNoise((Math.Min(1, config.NoiseSigmaMax) / 255.0, config.NoiseSigmaMax / 255.0)).WithProbability(config.NoiseProbability));
        if (config.JpegProbability > 0)
            steps.Add(new JpegCompression((config.JpegQualityMin, config.JpegQualityMax)).WithProbability(config.JpegProbability));
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
