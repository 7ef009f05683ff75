using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Inference;

/// <summary>
/// The weights in models/ (trained by the quickstart, described in models/MODEL_CARD.md) load, run, and still do
/// what the model card says on the colour photos of test_images/ (four of the held-out photos, at their stored size).
/// </summary>
public class ShippedModelsTests
{
    private static readonly string[] ColorPhotos = { "astronaut.jpg", "chelsea.jpg", "coffee.jpg", "rocket.jpg" };

    private static string TestImage(string name) => Path.Combine(PythonReference.RepoRoot, "test_images", name);

    [Fact]
    public void EspcnX2BeatsBicubicOnY()
    {
        using var upscaler = Upscaler.FromFile(ShippedModels.PathOf(ShippedModels.EspcnX2));
        Assert.Equal(2, upscaler.Scale);
        double model = 0, bicubic = 0;
        foreach (var name in ColorPhotos)
        {
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(TestImage(name));
            var (h, w) = ((int)image.size(1) / 2 * 2, (int)image.size(2) / 2 * 2);
            var original = ImageCrop.CenterCrop(image, h, w);
            var small = ImageResize.Resize(original, h / 2, w / 2, InterpolationMode.Bicubic, antialias: true).clamp(0, 1);
            Tensor upscaled;
            using (torch.no_grad()) upscaled = upscaler.Upscale(small).clamp(0, 1);
            var baseline = ImageResize.Resize(small, h, w, InterpolationMode.Bicubic, antialias: false).clamp(0, 1);
            model += Psnr.OnY(upscaled, original, crop: 2).item<float>();
            bicubic += Psnr.OnY(baseline, original, crop: 2).item<float>();
        }
        Assert.True(model > bicubic, $"mean PSNR-Y: ESPCN {model / ColorPhotos.Length:F2} dB, bicubic {bicubic / ColorPhotos.Length:F2} dB");
    }

    [Fact]
    public void ColorizerKeepsTheSizeAndBeatsTheGrayInputOnChromaError()
    {
        using var colorizer = Colorizer.Load(ShippedModels.PathOf(ShippedModels.Colorizer));
        Assert.Equal("colorize", colorizer.Info!.Task);
        using (var scope = torch.NewDisposeScope())
        {
            var coins = ImageIO.Read(TestImage("coins.png"));
            var colored = colorizer.Colorize(coins.narrow(0, 0, 1));
            Assert.Equal(new long[] { 3, coins.size(1), coins.size(2) }, colored.shape);
        }
        var result = ColorizeEvaluation.Run(colorizer, ColorPhotos.Select(TestImage).ToList());
        var (model, gray) = (result.Mean("model").ChromaError, result.Mean("input").ChromaError);
        Assert.True(model < gray, $"Lab chroma error: colorizer {model:F2}, gray input {gray:F2}");
    }
}
