using System.Text.Json;

using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public sealed class EmbeddedDataTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-embedded-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void BuildsDisjointPhotoSplitsAndTheDigitsOnceThenSkips()
    {
        var quick = new EmbeddedDataOptions { CropsPerScale = 1, CropSize = 96 };
        var summary = EmbeddedData.Init(root, quick);
        Assert.Empty(summary.MissingSources); // the packages are in run.sh's APT_PACKAGES
        Assert.Empty(summary.AlreadyPresent);

        // Train and test come from different source photos (and different near-duplicate groups).
        var trainSources = File.ReadAllLines(Path.Combine(root, "photos", "train", DatasetPreparation.ManifestName)).Skip(1)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("source").GetString()!).ToHashSet();
        var catalogue = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, EmbeddedData.SourcesFile))).RootElement.EnumerateArray()
            .Select(e => (Id: e.GetProperty("id").GetString()!, Path: e.GetProperty("path").GetString()!, Split: e.GetProperty("split").GetString()!, Group: e.GetProperty("group").GetString()!))
            .ToList();
        var test = catalogue.Where(c => c.Split == "test").ToList();
        var train = catalogue.Where(c => c.Split == "train").ToList();
        Assert.Equal(train.Select(t => t.Path).ToHashSet(), trainSources);
        Assert.Empty(test.Select(t => t.Path).Intersect(trainSources));
        Assert.Empty(test.Select(t => t.Group).Intersect(train.Select(t => t.Group)));
        Assert.Contains(test, t => t.Id == "baboon");

        Assert.Equal(summary.TrainCrops, ImageSaver.Enumerate(Path.Combine(root, "photos", "train")).Count);
        Assert.True(summary.TrainCrops >= 2 * summary.TrainSources); // scales 1 and 1/2 at least
        var testFiles = Directory.GetFiles(Path.Combine(root, "photos", "test"), "*.png");
        Assert.Equal(test.Select(t => t.Id + ".png").Order(), testFiles.Select(Path.GetFileName).Order());
        foreach (var file in testFiles)
        {
            var info = ImageIO.ReadInfo(file);
            Assert.True(Math.Max(info.Width, info.Height) <= 512, file);
        }

        using (var digits = EmbeddedData.LoadDigits(root))
        {
            Assert.Equal(new long[] { 5000, 20, 20 }, digits.Images.shape);
            Assert.Equal(ScalarType.UInt8, digits.Images.dtype);
            Assert.Equal(ScalarType.Int64, digits.Labels.dtype);
            var labels = digits.Labels.data<long>();
            Assert.Equal(Enumerable.Range(0, 10).Select(_ => 500), labels.GroupBy(l => l).OrderBy(g => g.Key).Select(g => g.Count()));
            Assert.Equal(0, labels[0]);
            Assert.Equal(1, labels[500]);   // row 5, the first row of ones
            Assert.Equal(9, labels[4999]);
            var trainIndex = digits.TrainIndex.data<long>();
            var testIndex = digits.TestIndex.data<long>();
            Assert.Equal(4000, trainIndex.Length);
            Assert.Equal(Enumerable.Range(0, 5000).Select(i => (long)i), trainIndex.Concat(testIndex).Order());
            Assert.All(testIndex.GroupBy(i => labels[i]), g => Assert.Equal(100, g.Count()));
            // Every cell holds a digit: some ink, on a black background.
            var ink = digits.Images.to(ScalarType.Float32).amax([1L, 2L]).data<float>();
            Assert.All(ink, v => Assert.True(v > 100));
        }

        var again = EmbeddedData.Init(root, quick);
        Assert.Equal(new[] { "photos", "digits" }, again.AlreadyPresent);
    }

    [Fact]
    public void TheCatalogueNeverSplitsAGroup()
    {
        EmbeddedData.CheckSplitIsBySource(EmbeddedData.Photos);
        var leaky = EmbeddedData.Photos.Append(EmbeddedData.Photos.First(p => p.Group == "leuven") with { Id = "leuven-c", Split = PhotoSplit.Test }).ToList();
        Assert.Throws<InvalidOperationException>(() => EmbeddedData.CheckSplitIsBySource(leaky));
    }
}
