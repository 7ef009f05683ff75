using Workbench.Torch;

namespace Workbench.Metrics;

/// <summary>
/// Peak signal-to-noise ratio, 10·log10(range² / MSE), per image: a 0-dim tensor for C, H, W inputs,
/// shape [N] for N, C, H, W. Matches skimage.metrics.peak_signal_noise_ratio on the same pixels.
/// Identical images give +inf.
/// </summary>
public static class Psnr
{
    /// <param name="prediction">Image(s) to score, same shape as <paramref name="target"/>.</param>
    /// <param name="dataRange">Max − min of the pixel scale (1 for [0, 1] images).</param>
    /// <param name="crop">Pixels dropped on each border before scoring (SR papers: the scale factor).</param>
    public static Tensor Compute(Tensor prediction, Tensor target, double dataRange = 1.0, int crop = 0)
    {
        MetricInput.CheckPair(prediction, target);
        using var scope = torch.NewDisposeScope();
        var diff = MetricInput.CropBorder(prediction, crop) - MetricInput.CropBorder(target, crop);
        var mse = diff.square().mean(MetricInput.ImageDims);
        return (mse.reciprocal() * (dataRange * dataRange)).log10().mul(10.0).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// PSNR on the Y channel of YCbCr (MATLAB rgb2ycbcr, 0–255 scale, range 255) of RGB images in
    /// [0, 1]: the number super-resolution papers report, usually with crop = scale.
    /// </summary>
    public static Tensor OnY(Tensor prediction, Tensor target, int crop = 0)
    {
        MetricInput.CheckPair(prediction, target);
        MetricInput.CheckImage(prediction, nameof(prediction), rgb: true);
        using var scope = torch.NewDisposeScope();
        return Compute(MetricInput.YChannel(prediction), MetricInput.YChannel(target), 255.0, crop).MoveToOuterDisposeScope();
    }
}
