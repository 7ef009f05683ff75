using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// Structural similarity (Wang et al. 2004) with an 11×11 Gaussian window of σ = 1.5, population
/// (co)variances, K1 = 0.01, K2 = 0.03, averaged over the window positions that fit inside the image
/// and over channels, per image. Matches skimage.metrics.structural_similarity(gaussian_weights=True,
/// sigma=1.5, use_sample_covariance=False, data_range=…, channel_axis=…): skimage filters with reflected
/// borders and then drops the 5 border pixels, which leaves exactly the "valid" positions used here.
/// Pure tensor ops, so 1 − SSIM can serve as a loss.
/// </summary>
public static class Ssim
{
    private const double K1 = 0.01, K2 = 0.03;

    /// <param name="dataRange">Max − min of the pixel scale (1 for [0, 1] images).</param>
    /// <param name="crop">Pixels dropped on each border before scoring (SR papers: the scale factor).</param>
    /// <param name="sigma">Standard deviation of the Gaussian window.</param>
    /// <param name="windowSize">Window side; 11 is skimage's 2·round(3.5σ)+1 for σ = 1.5.</param>
    public static Tensor Compute(Tensor prediction, Tensor target, double dataRange = 1.0, int crop = 0, double sigma = 1.5, int windowSize = 11)
    {
        MetricInput.CheckPair(prediction, target);
        using var scope = torch.NewDisposeScope();
        var x = MetricInput.CropBorder(prediction, crop);
        var y = MetricInput.CropBorder(target, crop);
        if (x.size(-2) < windowSize || x.size(-1) < windowSize)
            throw new ArgumentException($"SSIM needs images of at least {windowSize}x{windowSize} after cropping, got {x.size(-2)}x{x.size(-1)}");
        var window = GaussianWindow(windowSize, sigma);

        // Filter the five maps in one batch along a new leading dimension.
        var moments = Filter(torch.stack(new[] { x, y, x * x, y * y, x * y }), window);
        var (mx, my, mxx, myy, mxy) = (moments[0], moments[1], moments[2], moments[3], moments[4]);
        var (vx, vy, vxy) = (mxx - mx * mx, myy - my * my, mxy - mx * my);

        var c1 = Math.Pow(K1 * dataRange, 2);
        var c2 = Math.Pow(K2 * dataRange, 2);
        var map = (mx * my * 2 + c1) * (vxy * 2 + c2) / ((mx.square() + my.square() + c1) * (vx + vy + c2));
        return map.mean(MetricInput.ImageDims).MoveToOuterDisposeScope();
    }

    /// <summary>SSIM on the Y channel of YCbCr (0–255 scale, range 255) of RGB images in [0, 1], as SR papers report it.</summary>
    public static Tensor OnY(Tensor prediction, Tensor target, int crop = 0)
    {
        MetricInput.CheckPair(prediction, target);
        MetricInput.CheckImage(prediction, nameof(prediction), rgb: true);
        using var scope = torch.NewDisposeScope();
        return Compute(MetricInput.YChannel(prediction), MetricInput.YChannel(target), 255.0, crop).MoveToOuterDisposeScope();
    }

    /// <summary>Normalised 1-D Gaussian weights exp(−k²/2σ²), k = −r..r, as scipy.ndimage.gaussian_filter uses.</summary>
    public static double[] GaussianWindow(int size, double sigma)
    {
        if (size < 1 || size % 2 == 0) throw new ArgumentException($"the window size must be odd, got {size}", nameof(size));
        var radius = size / 2;
        var w = new double[size];
        for (var k = -radius; k <= radius; k++) w[k + radius] = Math.Exp(-0.5 * k * k / (sigma * sigma));
        var sum = w.Sum();
        for (var i = 0; i < size; i++) w[i] /= sum;
        return w;
    }

    /// <summary>
    /// Separable "valid" correlation over the last two dims: out = Σ_k w[k]·x shifted by k, first
    /// along H, then along W. Shifted sums (22 narrow + fused multiply-adds) need no conv op.
    /// </summary>
    private static Tensor Filter(Tensor x, double[] w)
    {
        foreach (var dim in new long[] { -2, -1 })
        {
            var n = x.size((int)dim) - w.Length + 1;
            var sum = x.narrow(dim, 0, n) * w[0];
            for (var k = 1; k < w.Length; k++) sum = sum.add(x.narrow(dim, k, n), w[k]);
            x = sum;
        }
        return x;
    }
}
