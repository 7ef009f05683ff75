using Workbench.Data.Degradations;
using Workbench.Torch;

namespace Workbench.Tests.Data.Degradations;

/// <summary>Shared checks and inputs for degradation tests.</summary>
internal static class DegradationAssert
{
    /// <summary>A deterministic 3x48x64 test picture: gradients, a bright square, a dark bar, fine stripes.</summary>
    public static Tensor Picture(int channels = 3, long height = 48, long width = 64)
    {
        var data = new float[channels * height * width];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < height; y++)
                for (var x = 0; x < width; x++)
                {
                    var v = 0.15 + 0.5 * x / width + 0.2 * y / height * (c + 1) / channels;
                    if (x is > 10 and < 25 && y is > 8 and < 22) v = 0.95 - 0.1 * c;
                    if (y is > 30 and < 36) v = 0.05;
                    if (x > 45) v += (x % 2 == 0 ? 0.08 : -0.08);
                    data[(c * height + y) * width + x] = (float)Math.Clamp(v, 0, 1);
                }
        return torch.tensor(data, [channels, height, width]);
    }

    /// <summary>Same seed → identical output; another seed → a different one; output in [0, 1] with the expected shape.</summary>
    public static void DeterministicAndInRange(Degradation degradation, Tensor input, long[]? expectedShape = null, bool seedsMustDiffer = true)
    {
        using var scope = torch.NewDisposeScope();
        var before = input.data<float>();
        var a = degradation.Apply(input, new Random(11));
        var b = degradation.Apply(input, new Random(11));
        Assert.Equal(expectedShape ?? input.shape, a.shape);
        Assert.Equal(ScalarType.Float32, a.dtype);
        Assert.Equal(a.data<float>(), b.data<float>());
        Assert.True(a.min().item<float>() >= 0f && a.max().item<float>() <= 1f, $"{degradation} left [0, 1]");
        Assert.Equal(before, input.data<float>()); // the input is never modified
        if (seedsMustDiffer)
        {
            var others = Enumerable.Range(100, 4).Select(s => degradation.Apply(input, new Random(s)).data<float>()).ToList();
            Assert.Contains(others, o => !o.SequenceEqual(a.data<float>()));
        }
    }

    public static double MaxAbsDifference(Tensor a, Tensor b) => a.sub(b).abs().max().item<float>();
}
