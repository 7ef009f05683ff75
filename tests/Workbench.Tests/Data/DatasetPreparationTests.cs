using System.Text.Json;

using Workbench.Data;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public sealed class DatasetPreparationTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("wb-prepare-").FullName;
    private readonly string input;
    private readonly string output;

    private static readonly PrepareOptions Options = new() { CropSize = 64, CropsPerScale = 3, Seed = 1, MaxParallelism = 2 };

    public DatasetPreparationTests()
    {
        input = Path.Combine(root, "photos");
        output = Path.Combine(root, "crops");
        Write("a.png", 3, 200, 300);         // scales 300x200, 150x100 (75x50 is too small): 6 crops
        Write("sub/b.jpg", 3, 260, 130);     // 130x260, 65x130: 6 crops
        Write("sub/c.png", 1, 128, 128);     // gray: 128, 64: 6 crops
        Write("d.png", 4, 70, 100);          // RGBA: 100x70 only: 3 crops
        Write("tiny.png", 3, 40, 40);        // smaller than one crop
        Directory.CreateDirectory(Path.Combine(input, "bad"));
        File.WriteAllBytes(Path.Combine(input, "bad", "empty.png"), []);
        File.WriteAllText(Path.Combine(input, "bad", "notes.jpg"), "not an image at all");
        var jpeg = File.ReadAllBytes(Path.Combine(input, "sub", "b.jpg"));
        File.WriteAllBytes(Path.Combine(input, "bad", "truncated.jpg"), jpeg[..(jpeg.Length / 2)]);
    }

    private const int GoodCrops = 21;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>A smooth, position-dependent picture, so a crop's place can be checked.</summary>
    private void Write(string relative, int channels, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var y = torch.arange(height, ScalarType.Float32).div(height).view(1, height, 1).expand(channels, height, width);
        var x = torch.arange(width, ScalarType.Float32).div(width).view(1, 1, width).expand(channels, height, width);
        var c = torch.arange(channels, ScalarType.Float32).div(channels + 1).view(channels, 1, 1);
        var image = y.mul(0.6).add(x.mul(0.3)).add(c.mul(0.1)).add(x.mul(40).sin().mul(0.05)).clamp(0.0, 1.0);
        if (channels == 4) image = torch.cat([image.narrow(0, 0, 3), torch.ones(1, height, width)]);
        var path = Path.Combine(input, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageIO.Write(path, image, quality: path.EndsWith(".jpg", StringComparison.Ordinal) ? 95 : null);
    }

    private List<JsonElement> ManifestEntries() =>
        File.ReadAllLines(Path.Combine(output, DatasetPreparation.ManifestName)).Skip(1).Select(l => JsonDocument.Parse(l).RootElement).ToList();

    [Fact]
    public void CutsTheExpectedCropsAndReportsBadFiles()
    {
        var progress = new List<PrepareProgress>();
        var summary = DatasetPreparation.Run(input, output, Options, new SyncProgress(progress));

        Assert.Equal(8, summary.SourcesFound);
        Assert.Equal(5, summary.SourcesRead);
        Assert.Equal("tiny.png", Assert.Single(summary.TooSmall).Source);
        Assert.Equal(new[] { "bad/empty.png", "bad/notes.jpg", "bad/truncated.jpg" }, summary.Bad.Select(b => b.Source));
        Assert.Contains("empty", summary.Bad[0].Reason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(GoodCrops, summary.CropsWritten);
        Assert.Equal(GoodCrops, summary.CropsTotal);
        Assert.Equal(8, progress.Count);
        Assert.Equal(8, progress.Max(p => p.SourcesDone));

        var files = ImageSaver.Enumerate(output);
        Assert.Equal(Enumerable.Range(0, GoodCrops).Select(i => (long)i), files.Select(f => f.Number));
        using var crop = ImageIO.Read(files[^1].Path);
        Assert.Equal(new long[] { 3, 64, 64 }, crop.shape);
    }

    [Fact]
    public void CropsAreTheSourcePixelsAtEachScale()
    {
        DatasetPreparation.Run(input, output, Options with { MaxParallelism = 1 });
        var entry = ManifestEntries().Single(e => e.GetProperty("source").GetString() == "a.png");
        var first = entry.GetProperty("first").GetInt64();
        var boxes = DatasetPreparation.PlanCrops(300, 200, Options, DatasetPreparation.SourceRandom(Options.Seed, "a.png"));
        Assert.Equal(6, boxes.Count);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1 }, boxes.Select(b => b.Scale));

        using var scope = torch.NewDisposeScope();
        var source = ImageIO.Read(Path.Combine(input, "a.png"));
        var half = source.reshape(3, 100, 2, 150, 2).mean([2L, 4L]); // area x2 = 2x2 block means
        for (var i = 0; i < boxes.Count; i++)
        {
            var box = boxes[i];
            var scaled = box.Scale == 0 ? source : half;
            var expected = ImageCrop.Crop(scaled, box.Box);
            var crop = ImageIO.Read(Path.Combine(output, "0", $"{first + i}.png"));
            Assert.True(crop.sub(expected).abs().max().item<float>() <= 1.01f / 255, $"crop {i} at {box}");
        }
    }

    [Fact]
    public void ResumeSkipsDoneFilesRetriesBadOnesAndRemovesOrphans()
    {
        DatasetPreparation.Run(input, output, Options);
        Write("new/e.png", 3, 64, 64); // one more photo: one crop at scale 1
        using (var orphan = torch.zeros(3, 64, 64))
            new ImageSaver(output).Save(orphan); // a crop whose source never reached the manifest
        File.AppendAllText(Path.Combine(output, DatasetPreparation.ManifestName), "{\"source\":\"torn"); // killed mid-line

        var again = DatasetPreparation.Run(input, output, Options);
        Assert.Equal(5, again.SourcesAlreadyDone);
        Assert.Equal(1, again.SourcesRead);
        Assert.Equal(3, again.Bad.Count);
        Assert.Equal(1, again.OrphansRemoved);
        Assert.Equal(3, again.CropsWritten);
        Assert.Equal(GoodCrops + 3, again.CropsTotal);
        Assert.Equal(GoodCrops + 3, ImageSaver.Enumerate(output).Count);
        var lines = File.ReadAllLines(Path.Combine(output, DatasetPreparation.ManifestName));
        Assert.Equal(1 + 5 + 1 + 1, lines.Length); // header, first run, the torn line (ignored when read), e.png

        var third = DatasetPreparation.Run(input, output, Options);
        Assert.Equal(6, third.SourcesAlreadyDone);
        Assert.Equal(0, third.CropsWritten);
    }

    [Fact]
    public void RefusesToMixSettingsUnlessOverwriting()
    {
        DatasetPreparation.Run(input, output, Options);
        var error = Assert.Throws<OutputFolderConflictException>(() => DatasetPreparation.Run(input, output, Options with { CropSize = 32 }));
        Assert.Contains("different settings", error.Message, StringComparison.Ordinal);

        var grid = DatasetPreparation.Run(input, output, Options with { Grid = true, Overwrite = true });
        // Tiles: a 4x3 + 2x1, b 2x4 + 1x2, c 2x2 + 1x1, d 1x1.
        Assert.Equal(12 + 2 + 8 + 2 + 4 + 1 + 1, grid.CropsWritten);
        Assert.Equal(grid.CropsWritten, ImageSaver.Enumerate(output).Count);
    }

    [Fact]
    public void RefusesAFolderOfUnrelatedNumberedImages()
    {
        using (var image = torch.zeros(3, 8, 8))
            new ImageSaver(output).Save(image);
        Assert.Throws<OutputFolderConflictException>(() => DatasetPreparation.Run(input, output, Options));
    }

    [Fact]
    public void PriorDownscaleHalvesLargePhotosFirst()
    {
        var summary = DatasetPreparation.Run(input, output, Options with { PriorDownscaleAbovePixels = 20_000 });
        // a (300x200 = 60k px) becomes 150x100: 1 scale; b (33.8k px) becomes 65x130: 1 scale; c (16k) and d (7k) stay.
        Assert.Equal(3 + 3 + 6 + 3, summary.CropsWritten);
    }

    [Fact]
    public void ADataLoaderOverThePreparedCropsYieldsEachCropOncePerEpoch()
    {
        var summary = DatasetPreparation.Run(input, output, Options);
        var dataset = ImagesDataset.FromDirsRecursive([output], shuffleSeed: 3);
        Assert.Equal(summary.CropsWritten, dataset.Count);

        var tensors = DataLoader.Create(dataset.Select(path => ImageIO.Read(path)), batchSize: 4, new DataLoaderOptions { Shuffle = true, NumWorkers = 2 });
        var named = new DataLoader<string, string[]>(
            dataset.Select((path, _) => { using var image = ImageIO.Read(path); return image.size(1) == 64 ? path : "wrong size"; }),
            batchSize: 4, items => items.ToArray(), new DataLoaderOptions { Shuffle = true, NumWorkers = 2 });
        for (var epoch = 0; epoch < 2; epoch++)
        {
            var seen = named.SelectMany(b => b).ToList();
            Assert.Equal(dataset.Files.Order(), seen.Order());
            var total = 0L;
            foreach (var batch in tensors)
            {
                using (batch)
                {
                    Assert.Equal(new long[] { 3, 64, 64 }, batch.shape[1..]);
                    total += batch.size(0);
                }
            }
            Assert.Equal(summary.CropsWritten, total);
        }
    }

    [Fact]
    public void ACancelledRunStopsCleanly()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        var summary = DatasetPreparation.Run(input, output, Options, cancel: cancel.Token);
        Assert.True(summary.Cancelled);
        Assert.Equal(0, summary.CropsWritten);
        Assert.Equal(GoodCrops, DatasetPreparation.Run(input, output, Options).CropsWritten);
    }

    [Theory]
    [InlineData("rgb.png")]
    [InlineData("gray.png")]
    [InlineData("rgba.png")]
    [InlineData("palette.png")]
    [InlineData("rgb16.png")]
    [InlineData("rgb.jpg")]
    [InlineData("gray.jpg")]
    [InlineData("orient5.jpg")]
    [InlineData("orient6.jpg")]
    [InlineData("orient8.webp")]
    [InlineData("orient6.tiff")]
    [InlineData("rgb.bmp")]
    public void EightBitDecodingMatchesImageIO(string file)
    {
        // The crop pipeline's 8-bit decoder takes shortcuts; it must see the same picture as ImageIO.Read.
        using var scope = torch.NewDisposeScope();
        var path = ImageTestFiles.FilePath(file);
        var hwc = DatasetPreparation.DecodeRgb8(File.ReadAllBytes(path), path);
        var expected = ImageIO.Read(path).mul(255).round().to(ScalarType.UInt8).permute(1, 2, 0);
        Assert.Equal(expected.shape, hwc.shape);
        Assert.Equal(expected.contiguous().data<byte>(), hwc.data<byte>());
    }

    private sealed class SyncProgress(List<PrepareProgress> list) : IProgress<PrepareProgress>
    {
        public void Report(PrepareProgress value)
        {
            lock (list) list.Add(value);
        }
    }
}
