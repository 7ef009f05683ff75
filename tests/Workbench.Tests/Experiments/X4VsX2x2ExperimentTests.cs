using Workbench.Experiments;
using Workbench.Models.SuperResolution;
using Workbench.Recipes;
using Workbench.Testing;
using Workbench.Tests.Recipes;

namespace Workbench.Tests.Experiments;

[Collection(SequentialCollection.Name)]
public sealed class X4VsX2x2ExperimentTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-exp-x4-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SmokeRunComparesTheThreeTailsWithBicubic()
    {
        var (train, test) = SrTestData.Create(Path.Combine(root, "data"), trainSize: 40, testSize: 48);
        var report = X4VsX2x2Experiment.Run(SrExperimentOptions.SmokeDefaults(train, test, Path.Combine(root, "runs")));

        Assert.Equal(["x4", "x2x2", "x2x2+2conv", "bicubic"], report.Rows.Select(r => r[0]));
        Assert.Equal(["validation PSNR-Y", "training L1 loss", "final PSNR-Y"], report.Panels);
        Assert.All(report.Rows.Take(3), r => Assert.True(double.Parse(r[4].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) > 10));
        Assert.True(File.Exists(Path.Combine(report.RunsDirectory!, "x2x2-seed0", "summary.json")));
        Assert.Contains("x2x2 − x4", report.Verdict);
    }

    [Fact]
    public void AtTheDefaultWidthTheTailsHaveTheSameParameterCountWithinTenPercent()
    {
        var o = new SrExperimentOptions();
        var target = UpsampleHead.ParameterCount(o.Channels, 4, UpsampleSteps.OneStep);
        long Count(string head, int convsAfter)
        {
            var width = head == "one" ? o.Channels : UpsampleHead.ChannelsMatching(target, o.Channels, 4, UpsampleSteps.X2Steps, convsAfter);
            var config = new SrTrainingConfig { Scale = 4, Channels = o.Channels, Head = head, HeadChannels = (int)width, HeadConvsAfter = convsAfter };
            using var g = SuperResolutionRecipe.BuildGenerator(config);
            return g.count_parameters();
        }
        var x4 = Count("one", 0);
        foreach (var other in new[] { Count("x2", 0), Count("x2", 2) })
            Assert.InRange(Math.Abs(other - x4) / (double)x4, 0, 0.10);
    }
}
