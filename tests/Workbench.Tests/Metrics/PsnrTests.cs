using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Tests.Metrics;

public sealed class PsnrTests
{
    private const double Tolerance = 1e-4;  // dB

    [Fact]
    public void MatchesSkimageOnRgbWithAndWithoutCrop()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var full = Psnr.Compute(prediction, target).to(ScalarType.Float64).data<double>();
        var cropped = Psnr.Compute(prediction, target, crop: MetricsReference.Crop).to(ScalarType.Float64).data<double>();
        for (var i = 0; i < MetricsReference.Count; i++)
        {
            Assert.Equal(MetricsReference.Expected(i, "psnr"), full[i], Tolerance);
            Assert.Equal(MetricsReference.Expected(i, "psnr_crop"), cropped[i], Tolerance);
        }
    }

    [Fact]
    public void MatchesSkimageOnYChannelAsSrPapersReportIt()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        for (var i = 0; i < MetricsReference.Count; i++)
        {
            // One image at a time (C, H, W) gives a 0-dim result.
            var psnr = Psnr.OnY(prediction[i], target[i], crop: MetricsReference.Crop);
            Assert.Equal(0, psnr.dim());
            Assert.Equal(MetricsReference.Expected(i, "psnr_y_crop"), psnr.item<double>(), Tolerance);
        }
    }

    [Fact]
    public void DataRangeScalesThePeakAndIdenticalImagesGiveInfinity()
    {
        using var scope = torch.NewDisposeScope();
        var (prediction, target) = MetricsReference.Batch();
        var bytes = Psnr.Compute(prediction[0] * 255.0, target[0] * 255.0, dataRange: 255).item<double>();
        Assert.Equal(MetricsReference.Expected(0, "psnr"), bytes, Tolerance);
        Assert.True(double.IsPositiveInfinity(Psnr.Compute(target[0], target[0]).item<double>()));
    }

    [Fact]
    public void RejectsMismatchedShapesAndOversizedCrops()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<ArgumentException>(() => Psnr.Compute(torch.zeros(3, 8, 8), torch.zeros(3, 8, 9)));
        Assert.Throws<ArgumentException>(() => Psnr.Compute(torch.zeros(3, 8, 8), torch.zeros(3, 8, 8), crop: 4));
        Assert.Throws<ArgumentException>(() => Psnr.OnY(torch.zeros(1, 8, 8), torch.zeros(1, 8, 8)));
    }
}
