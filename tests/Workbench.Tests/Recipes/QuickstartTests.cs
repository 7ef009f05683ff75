using Workbench.Recipes;
using Workbench.Testing;

namespace Workbench.Tests.Recipes;

[Collection(SequentialCollection.Name)]
public sealed class QuickstartTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-quickstart-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SmokeRunWritesModelsOutputsAndASelfContainedReport()
    {
        var options = QuickstartOptions.Smoke(root) with { TestImages = Path.Combine(PythonReference.RepoRoot, "test_images") };
        var log = new StringWriter();
        var result = Quickstart.Run(options, _ => null, log);

        Assert.True(File.Exists(result.SuperResolution.WeightsPath), log.ToString());
        Assert.True(File.Exists(result.Colorization.WeightsPath));
        Assert.True(File.Exists(result.ColorizerWeights));
        Assert.NotEqual(result.ColorizerWeights, result.Colorization.WeightsPath);
        Assert.Equal(new[] { QuickstartResult.PretrainedMethod, QuickstartResult.GanMethod, QuickstartResult.ShippedMethod, "input", "sepia" }, result.ColorizationScores.Methods);
        // The GAN half resumes the pretraining run: its losses.csv keeps the pretraining rows.
        var phases = File.ReadLines(Path.Combine(result.Colorization.State.RunDirectory, "losses.csv")).Skip(1).Select(l => l.Split(',')[1]).Distinct().ToList();
        Assert.Equal(new[] { "g64", "g96", "critic96", "gan96" }, phases);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(result.OutputDirectory, "upscaled")));
        Assert.Contains("camera.png", Directory.GetFiles(Path.Combine(result.OutputDirectory, "colorized")).Select(Path.GetFileName));
        var html = File.ReadAllText(result.ReportPath);
        Assert.Contains("ESPCN x2 vs bicubic", html);
        Assert.Contains("window.Plotly.newPlot", html);            // loss curves
        Assert.Contains("data:image/png;base64,", html);           // inlined pictures
        Assert.Contains("<td>sepia</td>", html.Replace(" style=\"text-align:left\"", "", StringComparison.Ordinal));
        Assert.DoesNotContain("src=\"http", html);                 // nothing loads from the network
        Assert.Contains("[5/5] report", log.ToString());
    }
}
