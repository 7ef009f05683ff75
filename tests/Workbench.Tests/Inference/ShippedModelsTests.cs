using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
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
        // The recipes' own held-out scoring (SrValidationSet: bicubic-halved whole photos, Y, 8-bit, border crop).
        var dir = Directory.CreateTempSubdirectory("wb-shipped-").FullName;
        try
        {
            foreach (var name in ColorPhotos) File.Copy(TestImage(name), Path.Combine(dir, name));
            var (model, _, scale) = SuperResolutionModels.Load(ShippedModels.PathOf(ShippedModels.EspcnX2));
            Assert.Equal(2, scale);
            using (model)
            using (var validation = SrValidationSet.Load(dir, (int)scale, crop: 0))
            {
                var scores = validation.Evaluate(model);
                Assert.True(scores.MeanPsnrY > scores.MeanBicubicPsnrY, $"mean PSNR-Y: ESPCN {scores.MeanPsnrY:F2} dB, bicubic {scores.MeanBicubicPsnrY:F2} dB");
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
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
