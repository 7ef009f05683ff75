using Workbench.Data.Degradations;
using Workbench.Recipes;
using Workbench.Torch;
using Workbench.Data;
using Workbench.Tests.Recipes;

namespace Workbench.Tests.Data;

public sealed class SrPairsTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-sr-pairs-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    private SrTrainingConfig Config(params string[] overrides)
    {
        var (train, test) = SrTestData.Create(root, trainImages: 2);
        return SuperResolutionRecipe.Resolve(overrides: [$"trainDir={train}", $"testDir={test}", "cropSize=24", "lossBorder=2", .. overrides]);
    }

    [Fact]
    public void APairIsACropAndItsDownscaleAndTheSameSeedGivesTheSamePair()
    {
        var config = Config("scale=3", "jpegProbability=0.5", "noiseProbability=0.5");
        var pairs = SrPairs.Create(config.TrainDir, config.Seed, config.CropSize, config.Flips, SrPairs.InputDegradation(config.InputDegradation, 3));
        using var scope = torch.NewDisposeScope();
        var a = pairs.Get(1, new Random(42));
        var b = pairs.Get(1, new Random(42));
        Assert.Equal(new long[] { 3, 24, 24 }, a.Target.shape);
        Assert.Equal(new long[] { 3, 8, 8 }, a.Input.shape);
        Assert.True(a.Input.equal(b.Input) && a.Target.equal(b.Target));
        var c = pairs.Get(1, new Random(43));
        Assert.False(c.Target.equal(a.Target) && c.Input.equal(a.Input));
    }

    [Fact]
    public void TheInputDegradationIsDownscaleThenNoiseThenJpegAndJpegNeverReaches100()
    {
        var plain = SrPairs.InputDegradation(Config().InputDegradation, 2);
        Assert.Contains("Downscale(x2, BicubicAntialias)", plain.ToString());
        Assert.DoesNotContain("Jpeg", plain.ToString());
        var full = SrPairs.InputDegradation(Config("jpegProbability=1", "noiseProbability=0.3", "downscaleKernels=any").InputDegradation, 2).ToString();
        Assert.True(full.IndexOf("Downscale", StringComparison.Ordinal) < full.IndexOf("GaussianNoise", StringComparison.Ordinal));
        Assert.True(full.IndexOf("GaussianNoise", StringComparison.Ordinal) < full.IndexOf("Jpeg", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => Config("jpegQualityMax=100"));
        Assert.Equal("RealEsrgan(x4)", SrPairs.InputDegradation(Config("degradation=realesrgan").InputDegradation, 4).ToString());
        Assert.Contains("simple or realesrgan", Assert.Throws<ArgumentException>(() => Config("degradation=bsrgan")).Message);
        Assert.Equal(Downscale.AllKernels, SrPairs.ParseKernels("any"));
        Assert.Equal([ResizeKernel.Area, ResizeKernel.Nearest], SrPairs.ParseKernels("area, nearest"));
    }

    [Fact]
    public void TheEightSymmetriesOfTheSquareAreDistinct()
    {
        using var scope = torch.NewDisposeScope();
        var x = torch.arange(9).reshape(1, 3, 3);
        var all = Enumerable.Range(0, 8).Select(i => string.Join(",", SrPairs.Dihedral(x, i).contiguous().data<long>())).ToHashSet();
        Assert.Equal(8, all.Count);
    }
}
