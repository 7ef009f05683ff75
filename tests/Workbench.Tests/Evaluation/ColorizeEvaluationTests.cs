using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Torch;

namespace Workbench.Tests.Evaluation;

public sealed class ColorizeEvaluationTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-eval-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>A cheating "model" that knows the answer for one photo: the evaluation must score it perfectly.</summary>
    private sealed class Oracle(Tensor answer) : nn.Module<Tensor, Tensor>
    {
        public override Tensor forward(Tensor x) => Workbench.Data.ImageResize.Resize(answer, (int)x.size(2), (int)x.size(3)).unsqueeze(0);
    }

    [Fact]
    public void ScoresModelAndBaselinesPerImageAndAsMeans()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(4);
        // A smooth colour photo, so upsampled chroma is (nearly) exact.
        var yy = torch.linspace(0, 1, 64).view(1, 64, 1).expand(1, 64, 64);
        var xx = torch.linspace(0, 1, 64).view(1, 1, 64).expand(1, 64, 64);
        var photo = torch.cat(new[] { 0.3 + 0.5 * xx, 0.2 + 0.6 * yy, 0.7 - 0.4 * xx }, 0).contiguous();
        var path = Path.Combine(dir, "smooth.png");
        ImageIO.Write(path, photo, bitDepth: 16);
        using var colorizer = new Colorizer(new Oracle(photo.clone().DetachFromDisposeScope()), new ColorizerOptions { RenderSize = 64 });
        // Plain luma as the "black-and-white" input: then keeping its luminance is keeping the original's.
        var luma = Workbench.Data.Degradations.Degradation.Create("luma", (image, _) => ColorSpace.Luma(image).expand(3, -1, -1));
        var result = ColorizeEvaluation.Run(colorizer, new[] { path }, luma);
        Assert.Equal(new[] { "model", "input", "sepia" }, result.Methods);
        var model = result.Mean("model");
        Assert.True(model.Psnr > 40, $"PSNR {model.Psnr}");
        Assert.True(model.ChromaError < 1, $"chroma error {model.ChromaError}");
        Assert.True(result.Mean("input").ChromaError > 10 && result.Mean("input").Colorfulness < 1e-3);
        Assert.True(result.Mean("sepia").Colorfulness > 5);
        Assert.Equal(result.TargetColorfulness, Workbench.Data.Colorfulness.Compute(ImageIO.Read(path)).item<float>(), 3);
        Assert.True(model.AbAccuracy > 0.99, $"ab accuracy {model.AbAccuracy}");
        Assert.True(result.Mean("input").AbAccuracy < model.AbAccuracy);
        var text = result.ToString();
        Assert.Contains("smooth.png", text);
        Assert.Contains("mean", text);
        Assert.Contains("ab acc <10", text);

        using var json = System.Text.Json.JsonDocument.Parse(result.ToJson(new Dictionary<string, string> { ["model"] = "oracle" }));
        var root = json.RootElement;
        Assert.Equal("oracle", root.GetProperty("model").GetString());
        Assert.Equal(3, root.GetProperty("images").GetArrayLength());
        var mean = root.GetProperty("means").EnumerateArray().Single(m => m.GetProperty("method").GetString() == "model");
        Assert.Equal(model.AbAccuracy, mean.GetProperty("ab_accuracy_10").GetDouble(), 9);
        Assert.Equal(model.ChromaError, mean.GetProperty("chroma_error").GetDouble(), 9);
    }

    [Fact]
    public void SepiaKeepsTheGrayLuminance()
    {
        using var scope = torch.NewDisposeScope();
        var gray = torch.rand(1, 10, 10) * 0.4 + 0.3; // sepia chroma stays in gamut here
        var sepia = ColorizeEvaluation.Sepia(gray);
        Assert.InRange((ColorSpace.Luma(sepia) - gray).abs().max().item<float>(), 0, 1e-5);
    }
}
