using Workbench.Experiments;
using Workbench.Testing;
using Workbench.Tests.Recipes;

namespace Workbench.Tests.Experiments;

[Collection(SequentialCollection.Name)]
public sealed class X2TwiceVsX4ExperimentTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-exp-twice-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SmokeRunScoresAllThreeModelsAtX4()
    {
        var (train, test) = SrTestData.Create(Path.Combine(root, "data"), trainSize: 40, testSize: 48);
        var report = X2TwiceVsX4Experiment.Run(SrExperimentOptions.SmokeDefaults(train, test, Path.Combine(root, "runs")));

        Assert.Equal(["x4 ESPCN", "x2 ESPCN applied twice", "x2 ESPCN trained as net(net(x))", "bicubic x4"], report.Rows.Select(r => r[0]));
        // The two x2 networks are the same size, smaller than the x4 one (whose last conv has 4x the outputs).
        Assert.Equal(report.Rows[1][2], report.Rows[2][2]);
        Assert.All(report.Rows.Take(3), r => Assert.True(double.IsFinite(double.Parse(r[3].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))));
        Assert.Equal(["validation PSNR-Y", "training L1 loss", "final PSNR-Y (x4)"], report.Panels);
        Assert.True(File.Exists(Path.Combine(report.RunsDirectory!, "x2-trained-twice-seed0", "generator.safetensors")));
    }
}
