using Workbench.Torch;

namespace Workbench.Data.Degradations;

/// <summary>
/// Additive Gaussian noise with a random sigma (in [0, 1] units: 10/255 is mild sensor noise). With
/// <see cref="GrayProbability"/> the same noise goes to every channel (luminance noise), otherwise each
/// channel gets its own (chroma noise), as Real-ESRGAN mixes them.
/// </summary>
public sealed class GaussianNoise : Degradation
{
    public GaussianNoise(ValueRange sigma, double grayProbability = 0.4)
    {
        Sigma = sigma.Validate(nameof(sigma), 0, 1);
        if (!(grayProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(grayProbability));
        GrayProbability = grayProbability;
    }

    public ValueRange Sigma { get; }

    public double GrayProbability { get; }

    public override string Name => $"GaussianNoise(σ {Sigma})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var sigma = Sigma.Sample(random);
        var gray = random.NextDouble() < GrayProbability;
        var (c, h, w) = (image.size(0), image.size(1), image.size(2));
        var noise = SeededRandom.Normal([gray ? 1 : c, h, w], random);
        return image.add(noise.mul(sigma));
    }
}

/// <summary>
/// Poisson (shot) noise: each pixel's value is a photon count at <see cref="Peak"/> photons for white, so
/// dark areas get relatively more noise, as in a real sensor at high ISO. Lower peak = noisier; the peak is
/// drawn log-uniformly from its range. With <see cref="GrayProbability"/> the noise is computed on the
/// luminance and added to every channel.
/// </summary>
public sealed class PoissonNoise : Degradation
{
    public PoissonNoise(ValueRange peak, double grayProbability = 0.4)
    {
        Peak = peak.Validate(nameof(peak), 1, 1e6);
        if (!(grayProbability is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(grayProbability));
        GrayProbability = grayProbability;
    }

    public ValueRange Peak { get; }

    public double GrayProbability { get; }

    public override string Name => $"PoissonNoise(peak {Peak})";

    protected override Tensor ApplyCore(Tensor image, Random random)
    {
        var peak = Math.Exp(new ValueRange(Math.Log(Peak.Min), Math.Log(Peak.Max)).Sample(random));
        var gray = random.NextDouble() < GrayProbability && image.size(0) == 3;
        var signal = gray ? image.mul(Luma.Weights()).sum(0, keepdim: true) : image;
        var counts = SeededRandom.Poisson(signal.clamp(0.0, 1.0).mul(peak), random);
        var noise = counts.div(peak).sub(signal);
        return image.add(noise);
    }
}

/// <summary>libtorch sampling with a private generator seeded from a System.Random (reproducible, thread-independent).</summary>
internal static class SeededRandom
{
    public static Tensor Normal(long[] shape, Random random)
    {
        using var generator = new torch.Generator().manual_seed(random.NextInt64());
        return torch.randn(shape, generator);
    }

    /// <summary>Sampled on the CPU (the generator's device) in row-major order, then moved to the rates' device.</summary>
    public static Tensor Poisson(Tensor rates, Random random)
    {
        using var generator = new torch.Generator().manual_seed(random.NextInt64());
        using var scope = torch.NewDisposeScope();
        return torch.poisson(rates.detach().cpu().contiguous(), generator).to(rates.device).MoveToOuterDisposeScope();
    }
}

/// <summary>ITU-R 601 luma weights as a (3, 1, 1) tensor, for saturation and gray-noise arithmetic.</summary>
internal static class Luma
{
    public static Tensor Weights() => torch.tensor(new[] { 0.299f, 0.587f, 0.114f }, [3, 1, 1]);

    /// <summary>(1, H, W) luma of a 3-channel image; a 1-channel image is returned as it is.</summary>
    public static Tensor Of(Tensor chw) => chw.size(0) == 1 ? chw : chw.mul(Weights()).sum(0, keepdim: true);
}
