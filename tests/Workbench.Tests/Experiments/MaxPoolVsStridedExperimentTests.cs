using Workbench.Experiments;
using Workbench.Logging;
using Workbench.Testing;

namespace Workbench.Tests.Experiments;

[Collection(SequentialCollection.Name)]
public sealed class MaxPoolVsStridedExperimentTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-exp-digits-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SmokeRunReportsEveryVariantWithCurvesAndTensorBoardRuns()
    {
        var data = ExperimentTestData.Digits(Path.Combine(root, "data"));
        var options = MaxPoolVsStridedOptions.SmokeDefaults(data, Path.Combine(root, "runs"));
        var report = MaxPoolVsStridedExperiment.Run(options);

        Assert.True(report.Smoke);
        Assert.Equal(["maxpool", "strided", "extra-conv"], report.Rows.Select(r => r[0]));
        Assert.Equal(["test accuracy", "test loss", "training loss"], report.Panels);
        foreach (var s in report.Series.Where(s => s.Panel == "test accuracy"))
        {
            Assert.Equal(options.Epochs, s.Y.Count);
            Assert.All(s.Y, a => Assert.InRange(a, 0, 100));
            Assert.NotNull(s.YError); // two seeds: a spread
        }
        Assert.Contains("strided", report.Verdict);
        Assert.StartsWith("Если я заменял max-pooling", report.Claim);
        var tags = EventFileReader.Summarize(Path.Combine(report.RunsDirectory!, "strided-seed1")).Select(t => t.Tag);
        Assert.Contains("test/accuracy", tags);
        Assert.Contains("loss/cross_entropy", tags);
    }

    [Fact]
    public void TheSameSeedGivesTheSameNumbers()
    {
        var data = ExperimentTestData.Digits(Path.Combine(root, "data"));
        var options = MaxPoolVsStridedOptions.SmokeDefaults(data, Path.Combine(root, "runs")) with { Seeds = 1, Epochs = 1 };
        var first = MaxPoolVsStridedExperiment.Run(options);
        var second = MaxPoolVsStridedExperiment.Run(options);
        Assert.Equal(first.Rows.Select(r => r[2] + r[3]), second.Rows.Select(r => r[2] + r[3]));
    }
}
