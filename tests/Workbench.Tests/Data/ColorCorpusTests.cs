using Workbench.Data;
using Workbench.Testing;
using Workbench.Torch;

namespace Workbench.Tests.Data;

public sealed class ColorCorpusTests
{
    private static string TestImage(string name) => Path.Combine(PythonReference.RepoRoot, "test_images", name);

    [Fact]
    public void ColourPhotosPassGrayAndFlatFilledImagesAreRejected()
    {
        using var scope = torch.NewDisposeScope();
        var photo = ImageIO.Read(TestImage("coffee.jpg"));
        Assert.Null(PhotoChecks.Rejection(PhotoChecks.Measure(photo)));

        var gray = ColorSpace.Luma(photo).expand(3, -1, -1).contiguous();
        Assert.Contains("gray", PhotoChecks.Rejection(PhotoChecks.Measure(gray)));

        // A drawing: four flat colour fields with thin borders.
        var drawing = torch.zeros(3, 256, 256);
        drawing.narrow(1, 0, 128).narrow(2, 0, 128).select(0, 0).fill_(0.9);
        drawing.narrow(1, 128, 128).narrow(2, 0, 128).select(0, 2).fill_(0.8);
        drawing.narrow(1, 0, 128).narrow(2, 128, 128).select(0, 1).fill_(0.7);
        Assert.Contains("flat", PhotoChecks.Rejection(PhotoChecks.Measure(drawing)));
    }

    [Fact]
    public void AResizedReencodedCopyIsTheSamePictureAndOtherPhotosAreNot()
    {
        using var scope = torch.NewDisposeScope();
        var photo = ImageIO.Read(TestImage("astronaut.jpg"));
        var copy = ImageIO.ReadBytes(ImageIO.Encode(ImageResize.Resize(photo, 300, 300, InterpolationMode.Area).clamp(0, 1), ImageFormat.Jpeg, quality: 70));
        var a = PhotoChecks.Measure(photo);
        Assert.True(PhotoChecks.SamePicture(a, PhotoChecks.Measure(copy)), $"{PhotoChecks.HammingDistance(a.Hash, PhotoChecks.Measure(copy).Hash)} bits apart");
        foreach (var other in new[] { "coffee.jpg", "chelsea.jpg", "rocket.jpg" })
            Assert.False(PhotoChecks.SamePicture(a, PhotoChecks.Measure(ImageIO.Read(TestImage(other)))), other);
    }

    [Fact]
    public void TheCatalogueSplitsBySourceGroupAndHoldsOutValidationAndTestPhotos()
    {
        ColorCorpus.CheckSplitIsBySource(ColorCorpus.Catalogue);
        Assert.Contains(ColorCorpus.Catalogue, p => p.Split == CorpusSplit.Validation);
        Assert.Contains(ColorCorpus.Catalogue, p => p.Split == CorpusSplit.Test && p.Package == "mate-backgrounds");
        Assert.Contains(ColorCorpus.Catalogue, p => p is { Split: CorpusSplit.Test, Id: "kingfisher", Package: "gcompris-qt-data" }
            && p.Path == "/usr/share/gcompris-qt/rcc/erase.rcc:/gcompris/src/activities/erase/resource/kingfisher.webp");
        Assert.Contains(ColorCorpus.Catalogue, p => p is { Id: "bent-pyramid", Split: CorpusSplit.Train }); // ids in kebab case
        Assert.Throws<InvalidOperationException>(() => ColorCorpus.CheckSplitIsBySource(
        [
            new CorpusPhoto("left", "p", "/a.png", CorpusSplit.Train, "pair"),
            new CorpusPhoto("right", "p", "/b.png", CorpusSplit.Test, "pair"),
        ]));
    }

    [Fact]
    public void ReadsPhotosPackedInAQtResourceBundle()
    {
        var root = Path.Combine(Path.GetTempPath(), "wb-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(root);
            var bundle = Path.Combine(root, "game.rcc");
            File.WriteAllBytes(bundle, QtResourceBundle.Write(
            [
                new("photos", "coffee.jpg", File.ReadAllBytes(TestImage("coffee.jpg")), Zlib: true),
                new("photos", "rocket.jpg", File.ReadAllBytes(TestImage("rocket.jpg"))),
            ]));
            CorpusPhoto[] catalogue =
            [
                new("coffee", "test-game", bundle + ":/photos/coffee.jpg", CorpusSplit.Train),
                new("rocket", "test-game", bundle + ":/photos/rocket.jpg", CorpusSplit.Test),
                new("absent", "test-game", bundle + ":/photos/absent.jpg", CorpusSplit.Train),
            ];
            var options = new ColorCorpusOptions { CropSize = 32, CropsPerScale = 2, Scales = 1, TrainLongSide = 128, PackageCache = Path.Combine(root, "packages") };
            var summary = ColorCorpus.Build(Path.Combine(root, "corpus"), options, catalogue: catalogue);

            Assert.Equal((1, 0, 1, 2L), summary.Packages.Single() is var p ? (p.Train, p.Validation, p.Test, p.Crops) : default);
            Assert.Contains(summary.Rejections, r => r.Id == "absent" && r.Reason.Contains("not found", StringComparison.Ordinal));
            using var scope = torch.NewDisposeScope();
            var decoded = ImageIO.Read(Path.Combine(root, "corpus", "test", "rocket.png"));
            var original = ImageIO.Read(TestImage("rocket.jpg"));
            Assert.Equal(original.shape, decoded.shape);                  // 512 px long side: HeldOutLongSide, kept as is
            Assert.True(decoded.sub(original).abs().max().item<float>() < 1.5f / 255);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void BuildsDeterministicallyDropsDuplicatesAndReportsPerPackage()
    {
        var root = Path.Combine(Path.GetTempPath(), "wb-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            var dupe = Path.Combine(root, "dupe.png");
            Directory.CreateDirectory(root);
            using (var scope = torch.NewDisposeScope())
                ImageIO.Write(dupe, ImageResize.Resize(ImageIO.Read(TestImage("chelsea.jpg")), 200, 300, InterpolationMode.Area).clamp(0, 1));
            CorpusPhoto[] catalogue =
            [
                new("chelsea", "test-a", TestImage("chelsea.jpg"), CorpusSplit.Train),
                new("coffee", "test-a", TestImage("coffee.jpg"), CorpusSplit.Train),
                new("chelsea-again", "test-b", dupe, CorpusSplit.Train),
                new("gray-camera", "test-b", TestImage("camera.png"), CorpusSplit.Train),
                new("rocket", "test-b", TestImage("rocket.jpg"), CorpusSplit.Validation),
                new("astronaut", "test-b", TestImage("astronaut.jpg"), CorpusSplit.Test),
            ];
            var options = new ColorCorpusOptions { CropSize = 32, CropsPerScale = 2, Scales = 2, TrainLongSide = 128, PackageCache = Path.Combine(root, "packages") };
            var first = ColorCorpus.Build(Path.Combine(root, "one"), options, catalogue: catalogue);
            var second = ColorCorpus.Build(Path.Combine(root, "two"), options, catalogue: catalogue);

            Assert.Equal(8, first.TrainCrops);                       // 2 photos × 2 scales × 2 crops
            Assert.Contains(first.Rejections, r => r.Id == "chelsea-again" && r.Reason.Contains("duplicate of chelsea", StringComparison.Ordinal));
            Assert.Contains(first.Rejections, r => r.Id == "gray-camera" && r.Reason.Contains("gray", StringComparison.Ordinal));
            var a = Assert.Single(first.Packages, p => p.Package == "test-a");
            Assert.Equal((2, 0, 0, 8L), (a.Train, a.Validation, a.Test, a.Crops));
            Assert.True(File.Exists(Path.Combine(root, "one", "validation", "rocket.png")));
            Assert.True(File.Exists(Path.Combine(root, "one", "test", "astronaut.png")));
            Assert.True(File.Exists(Path.Combine(root, "one", ColorCorpus.ReportFile)));

            var crops = (string dir) => Directory.EnumerateFiles(Path.Combine(root, dir, "train"), "*.png", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Path.Combine(root, dir), f)).Order(StringComparer.Ordinal).ToList();
            Assert.Equal(string.Join(" ", crops("one")), string.Join(" ", crops("two")));
            foreach (var file in crops("one"))
                Assert.Equal(File.ReadAllBytes(Path.Combine(root, "one", file)), File.ReadAllBytes(Path.Combine(root, "two", file)));
            Assert.Throws<IOException>(() => ColorCorpus.Build(Path.Combine(root, "one"), options, catalogue: catalogue)); // kept unless forced
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
    [Fact]
    public void AHeldOutPackageGoesWholeToOutOfDomainAndLeavesTheOtherPackagesCropsUnchanged()
    {
        var root = Path.Combine(Path.GetTempPath(), "wb-corpus-" + Guid.NewGuid().ToString("N"));
        try
        {
            CorpusPhoto[] catalogue =
            [
                new("chelsea", "test-a", TestImage("chelsea.jpg"), CorpusSplit.Train),
                new("coffee", "test-b", TestImage("coffee.jpg"), CorpusSplit.Train),
                new("rocket", "test-b", TestImage("rocket.jpg"), CorpusSplit.Test),
            ];
            var options = new ColorCorpusOptions { CropSize = 32, CropsPerScale = 2, Scales = 1, TrainLongSide = 128, HeldOutLongSide = 96, PackageCache = Path.Combine(root, "packages") };
            ColorCorpus.Build(Path.Combine(root, "all"), options, catalogue: catalogue);
            var summary = ColorCorpus.Build(Path.Combine(root, "without-b"), options with { HeldOutPackages = ["test-b"] }, catalogue: catalogue);

            Assert.Equal(2, summary.TrainCrops); // chelsea's only
            var b = Assert.Single(summary.Packages, p => p.Package == "test-b");
            Assert.Equal((0, 0, 0L, 2), (b.Train, b.Test, b.Crops, b.OutOfDomain));
            foreach (var id in new[] { "coffee", "rocket" })
            {
                using var scope = torch.NewDisposeScope();
                var photo = ImageIO.Read(Path.Combine(root, "without-b", ColorCorpus.OutOfDomainDir, "test-b", id + ".png"));
                Assert.Equal(96, Math.Max(photo.size(1), photo.size(2))); // whole, at the held-out size
            }
            Assert.False(Directory.Exists(Path.Combine(root, "without-b", "test")));
            var chelseaCrops = (string dir) => Directory.EnumerateFiles(Path.Combine(root, dir, "train"), "*.png", SearchOption.AllDirectories)
                .Select(File.ReadAllBytes).Select(Convert.ToHexString).Order(StringComparer.Ordinal).ToList();
            Assert.Subset(chelseaCrops("all").ToHashSet(), chelseaCrops("without-b").ToHashSet());
            Assert.Throws<ArgumentException>(() => ColorCorpus.Build(Path.Combine(root, "x"), options with { HeldOutPackages = ["no-such-package"] }, catalogue: catalogue));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
