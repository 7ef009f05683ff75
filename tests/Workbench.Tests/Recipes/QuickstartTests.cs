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
