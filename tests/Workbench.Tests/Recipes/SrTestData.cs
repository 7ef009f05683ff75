using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Recipes;

/// <summary>A tiny on-disk SR dataset: smooth coloured patterns with edges (train crops and held-out photos).</summary>
internal static class SrTestData
{
    public static (string Train, string Test) Create(string root, int trainImages = 6, int trainSize = 40, int testImages = 2, int testSize = 48)
    {
        var train = Path.Combine(root, "train", "0");
        var test = Path.Combine(root, "test");
        Directory.CreateDirectory(train);
        Directory.CreateDirectory(test);
        var random = new Random(7);
        for (var i = 0; i < trainImages; i++) ImageIO.Write(Path.Combine(train, $"{i}.png"), Pattern(trainSize, random));
        for (var i = 0; i < testImages; i++) ImageIO.Write(Path.Combine(test, $"t{i}.png"), Pattern(testSize, random));
        return (Path.Combine(root, "train"), test);
    }

    /// <summary>Sum of a few oriented sinusoids per channel plus a hard edge: detail that bicubic blurs.</summary>
    public static Tensor Pattern(int size, Random random)
    {
        var pixels = new float[3 * size * size];
        for (var c = 0; c < 3; c++)
        {
            var (fx, fy, phase) = (random.NextDouble() * 0.8, random.NextDouble() * 0.8, random.NextDouble() * 6);
            var edge = random.Next(size / 4, 3 * size / 4);
            for (var y = 0; y < size; y++)
                for (var x = 0; x < size; x++)
                    pixels[(c * size + y) * size + x] = (float)(0.5 + 0.3 * Math.Sin(fx * x + fy * y + phase) + (x > edge ? 0.15 : -0.15));
        }
        return torch.tensor(pixels, [3, size, size]).clamp(0, 1);
    }
}
