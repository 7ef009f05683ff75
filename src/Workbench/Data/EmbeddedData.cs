using System.Text.Json;
using System.Text.Json.Serialization;

using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Data;

/// <summary>Which part of the embedded photo set a source photo belongs to.</summary>
public enum PhotoSplit
{
    Train,
    Test,
}

/// <summary>
/// A real photograph shipped by a Debian package. <see cref="Group"/> ties near-duplicates (stereo pairs,
/// two frames of one scene) together: a group is never split between train and test.
/// </summary>
public sealed record EmbeddedPhoto(string Id, string Path, string Package, string Credit, string License, PhotoSplit Split, string? Group = null)
{
    public string GroupKey => Group ?? Id;
}

/// <summary>Settings of <see cref="EmbeddedData.Init"/>.</summary>
public sealed record EmbeddedDataOptions
{
    /// <summary>Crop side of the training crops: small enough to train on a CPU.</summary>
    public int CropSize { get; init; } = 128;

    /// <summary>Random crops per scale and training photo (the photos are ~640x480, so 1 and 1/2 scales).</summary>
    public int CropsPerScale { get; init; } = 12;

    /// <summary>Held-out test photos are shrunk (area) so that their longer side is at most this.</summary>
    public int TestLongSide { get; init; } = 512;

    /// <summary>Digits per class in the test split (of 500); the rest are for training.</summary>
    public int DigitsTestPerClass { get; init; } = 100;

    public int Seed { get; init; }

    /// <summary>Delete and rebuild parts that already exist.</summary>
    public bool Force { get; init; }

    /// <summary>Progress messages; null for none.</summary>
    public Action<string>? Log { get; init; }
}

/// <summary>What <see cref="EmbeddedData.Init"/> did.</summary>
public sealed record EmbeddedDataSummary
{
    public string Root { get; init; } = "";

    /// <summary>Parts skipped because they were already built ("photos", "digits").</summary>
    public IReadOnlyList<string> AlreadyPresent { get; init; } = [];

    public int TrainSources { get; init; }

    public long TrainCrops { get; init; }

    public int TestImages { get; init; }

    public int Digits { get; init; }

    /// <summary>Catalogue photos whose files were not found (package not installed).</summary>
    public IReadOnlyList<string> MissingSources { get; init; } = [];

    public TimeSpan Elapsed { get; init; }
}

/// <summary>The handwritten digits set: images (N, 20, 20) uint8, labels (N) int64, and a fixed split.</summary>
public sealed record DigitsSet(Tensor Images, Tensor Labels, Tensor TrainIndex, Tensor TestIndex) : IDisposable
{
    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
        TrainIndex.Dispose();
        TestIndex.Dispose();
    }
}

/// <summary>
/// Default datasets built from files Debian packages ship, so the workbench trains out of the box with no
/// download: <c>photos/train</c> (crops of real photographs, via <see cref="DatasetPreparation"/>),
/// <c>photos/test</c> (held-out whole photos, split by source photo, never by crop) and <c>digits</c>
/// (OpenCV's 5,000 handwritten digits). Each part is built into a temporary folder and renamed into place
/// when complete, so a part either exists whole or is rebuilt; existing parts are skipped unless forced.
/// </summary>
public static class EmbeddedData
{
    public const string DefaultRoot = "data";
    public const string DigitsFile = "digits/digits.safetensors";
    public const string SourcesFile = "photos/sources.json";

    private const string Skimage = "/usr/lib/python3/dist-packages/skimage/data/";
    private const string Sklearn = "/usr/lib/python3/dist-packages/sklearn/datasets/images/";
    private const string OpenCvData = "/usr/share/doc/opencv-doc/examples/data/";
    private const string OpenCvLicense = "Apache-2.0 AND BSD-3-Clause (OpenCV samples, per Debian's copyright file)";

    /// <summary>OpenCV's sheet of 5,000 handwritten digits (2000x1000: 50 rows x 100 columns of 20x20; 5 rows per digit 0-9).</summary>
    public const string DigitsSource = OpenCvData + "digits.png";

    /// <summary>
    /// The photographs, each looked at: real photos only (no drawings, logos, paintings, charts, screenshots or
    /// test patterns). The test split holds the classic super-resolution benchmark photo that is present
    /// (baboon, of Set14) and a variety of content: animals, a building, food, a portrait, a night launch.
    /// </summary>
    public static readonly IReadOnlyList<EmbeddedPhoto> Photos =
    [
        // Held out: never cropped for training.
        new("baboon", OpenCvData + "baboon.jpg", "opencv-doc", "USC-SIPI test image (mandrill)", OpenCvLicense, PhotoSplit.Test),
        new("building", OpenCvData + "building.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Test),
        new("fruits", OpenCvData + "fruits.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Test),
        new("squirrel", OpenCvData + "squirrel_cls.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Test),
        new("dog", OpenCvData + "chicky_512.png", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Test),
        new("astronaut", Skimage + "astronaut.png", "python3-skimage", "NASA (Eileen Collins)", "public domain", PhotoSplit.Test),
        new("chelsea", Skimage + "chelsea.png", "python3-skimage", "Stefan van der Walt", "CC0", PhotoSplit.Test),
        new("coffee", Skimage + "coffee.png", "python3-skimage", "Rachel Michetti (Pikolo Espresso Bar)", "CC0", PhotoSplit.Test),
        new("rocket", Skimage + "rocket.jpg", "python3-skimage", "SpaceX (DSCOVR launch)", "public domain", PhotoSplit.Test),

        // Training crops.
        new("motorcycle-left", Skimage + "motorcycle_left.png", "python3-skimage", "Middlebury 2014 stereo (Scharstein et al.)", "as distributed with scikit-image", PhotoSplit.Train, "motorcycle"),
        new("motorcycle-right", Skimage + "motorcycle_right.png", "python3-skimage", "Middlebury 2014 stereo (Scharstein et al.)", "as distributed with scikit-image", PhotoSplit.Train, "motorcycle"),
        new("china", Sklearn + "china.jpg", "python3-sklearn", "danielbuechele (Flickr)", "CC BY 2.0", PhotoSplit.Train),
        new("flower", Sklearn + "flower.jpg", "python3-sklearn", "vultilion (Flickr)", "CC BY 2.0", PhotoSplit.Train),
        new("aero1", OpenCvData + "aero1.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train, "aero"),
        new("aero3", OpenCvData + "aero3.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train, "aero"),
        new("aloe-left", OpenCvData + "aloeL.jpg", "opencv-doc", "Middlebury stereo (aloe)", OpenCvLicense, PhotoSplit.Train, "aloe"),
        new("aloe-right", OpenCvData + "aloeR.jpg", "opencv-doc", "Middlebury stereo (aloe)", OpenCvLicense, PhotoSplit.Train, "aloe"),
        new("apple", OpenCvData + "apple.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("orange", OpenCvData + "orange.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("butterfly", OpenCvData + "butterfly.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("notebook", OpenCvData + "ela_original.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("palace", OpenCvData + "home.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("leuven-a", OpenCvData + "leuvenA.jpg", "opencv-doc", "OpenCV samples (Leuven)", OpenCvLicense, PhotoSplit.Train, "leuven"),
        new("leuven-b", OpenCvData + "leuvenB.jpg", "opencv-doc", "OpenCV samples (Leuven)", OpenCvLicense, PhotoSplit.Train, "leuven"),
        new("football", OpenCvData + "messi5.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("desk", OpenCvData + "stuff.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("rubberwhale1", OpenCvData + "rubberwhale1.png", "opencv-doc", "Middlebury optical flow (RubberWhale)", OpenCvLicense, PhotoSplit.Train, "rubberwhale"),
        new("rubberwhale2", OpenCvData + "rubberwhale2.png", "opencv-doc", "Middlebury optical flow (RubberWhale)", OpenCvLicense, PhotoSplit.Train, "rubberwhale"),
        new("books-left", OpenCvData + "left.jpg", "opencv-doc", "OpenCV samples (stereo)", OpenCvLicense, PhotoSplit.Train, "books"),
        new("books-right", OpenCvData + "right.jpg", "opencv-doc", "OpenCV samples (stereo)", OpenCvLicense, PhotoSplit.Train, "books"),
        new("circuit-board", OpenCvData + "board.jpg", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
        new("candies", OpenCvData + "smarties.png", "opencv-doc", "OpenCV samples", OpenCvLicense, PhotoSplit.Train),
    ];

    /// <summary>Builds the missing parts under <paramref name="root"/> (all of them with <see cref="EmbeddedDataOptions.Force"/>).</summary>
    public static EmbeddedDataSummary Init(string root = DefaultRoot, EmbeddedDataOptions? options = null, CancellationToken cancel = default)
    {
        options ??= new EmbeddedDataOptions();
        var log = options.Log ?? (_ => { });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(root);
        CheckSplitIsBySource(Photos);

        var present = new List<string>();
        var missing = Photos.Where(p => !File.Exists(p.Path)).Select(p => $"{p.Id} ({p.Path}, package {p.Package})").ToList();
        var summary = new EmbeddedDataSummary { Root = root, MissingSources = missing };

        var photosDir = Path.Combine(root, "photos");
        if (Directory.Exists(photosDir) && !options.Force)
        {
            present.Add("photos");
            log("photos: already present (use --force to rebuild)");
        }
        else
        {
            var (sources, crops, tests) = BuildPart(root, "photos", dir => BuildPhotos(dir, options, log, cancel));
            summary = summary with { TrainSources = sources, TrainCrops = crops, TestImages = tests };
        }

        var digitsPath = Path.Combine(root, DigitsFile);
        if (File.Exists(digitsPath) && !options.Force)
        {
            present.Add("digits");
            log("digits: already present (use --force to rebuild)");
        }
        else
        {
            var (count, _, _) = BuildPart(root, "digits", dir => (BuildDigits(dir, options, log), 0L, 0));
            summary = summary with { Digits = count };
        }
        return summary with { AlreadyPresent = present, Elapsed = clock.Elapsed };
    }

    /// <summary>Loads <c>digits/digits.safetensors</c> written by <see cref="Init"/>.</summary>
    public static DigitsSet LoadDigits(string root = DefaultRoot)
    {
        var path = Path.Combine(root, DigitsFile);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist; build it with 'workbench data init'", path);
        var t = SafeTensors.Load(path);
        return new DigitsSet(t["images"], t["labels"], t["train_index"], t["test_index"]);
    }

    /// <summary>Throws if a group of near-duplicate photos sits in both splits (a leak from train into test).</summary>
    internal static void CheckSplitIsBySource(IReadOnlyList<EmbeddedPhoto> photos)
    {
        var mixed = photos.GroupBy(p => p.GroupKey).Where(g => g.Select(p => p.Split).Distinct().Count() > 1).Select(g => g.Key).ToList();
        if (mixed.Count > 0) throw new InvalidOperationException($"photo groups in both train and test: {string.Join(", ", mixed)}");
        var ids = photos.GroupBy(p => p.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (ids.Count > 0) throw new InvalidOperationException($"duplicate photo ids: {string.Join(", ", ids)}");
    }

    /// <summary>Builds a part in a hidden temporary folder, then renames it into place (replacing an old one).</summary>
    private static T BuildPart<T>(string root, string name, Func<string, T> build)
    {
        foreach (var stale in Directory.EnumerateDirectories(root, $".{name}.tmp-*")) Directory.Delete(stale, recursive: true);
        var temporary = Path.Combine(root, $".{name}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var result = build(temporary);
            var target = Path.Combine(root, name);
            if (Directory.Exists(target)) Directory.Delete(target, recursive: true);
            Directory.Move(temporary, target);
            return result;
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    private static (int Sources, long Crops, int Tests) BuildPhotos(string dir, EmbeddedDataOptions options, Action<string> log, CancellationToken cancel)
    {
        var available = Photos.Where(p => File.Exists(p.Path)).ToList();
        var train = available.Where(p => p.Split == PhotoSplit.Train).ToList();
        var test = available.Where(p => p.Split == PhotoSplit.Test).ToList();
        if (train.Count == 0 || test.Count == 0)
            throw new FileNotFoundException(
                "none of the photos of the embedded set were found; install python3-skimage, python3-sklearn and opencv-doc (./run.sh setup)");

        log($"photos/train: {options.CropSize}x{options.CropSize} crops from {train.Count} photos");
        var prepare = new PrepareOptions
        {
            CropSize = options.CropSize,
            CropsPerScale = options.CropsPerScale,
            Seed = options.Seed,
            // One worker: crop numbers then follow the catalogue order, so the set is identical on every machine.
            MaxParallelism = 1,
        };
        var result = DatasetPreparation.Run(train.Select(p => p.Path).ToList(), Path.Combine(dir, "train"), prepare, cancel: cancel);
        if (result.Cancelled) throw new OperationCanceledException(cancel);
        if (result.Bad.Count > 0)
            throw new InvalidDataException("embedded photos could not be decoded: " + string.Join("; ", result.Bad.Select(b => $"{b.Source}: {b.Reason}")));

        var testDir = Path.Combine(dir, "test");
        Directory.CreateDirectory(testDir);
        log($"photos/test: {test.Count} held-out photos, longer side <= {options.TestLongSide}");
        foreach (var photo in test)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.Read(photo.Path);
            var (h, w) = (image.size(1), image.size(2));
            var scale = Math.Min(1.0, options.TestLongSide / (double)Math.Max(h, w));
            if (scale < 1) image = ImageResize.Resize(image, Math.Max(1, (int)Math.Round(h * scale)), Math.Max(1, (int)Math.Round(w * scale)), InterpolationMode.Area);
            ImageIO.Write(Path.Combine(testDir, photo.Id + ".png"), image);
        }

        var sources = available.Select(p => new SourceRecord(p.Id, p.Path, p.Package, p.Credit, p.License, p.Split == PhotoSplit.Train ? "train" : "test", p.GroupKey)).ToList();
        AtomicFile.WriteAllText(Path.Combine(dir, "sources.json"), JsonSerializer.Serialize(sources, new JsonSerializerOptions { WriteIndented = true }));
        return (train.Count, result.CropsWritten, test.Count);
    }

    private static int BuildDigits(string dir, EmbeddedDataOptions options, Action<string> log)
    {
        if (!File.Exists(DigitsSource)) throw new FileNotFoundException($"'{DigitsSource}' not found; install opencv-doc (./run.sh setup)", DigitsSource);
        const int Rows = 50, Columns = 100, Cell = 20, RowsPerDigit = 5, Classes = 10;
        var perClass = Rows / RowsPerDigit * Columns;
        if (options.DigitsTestPerClass is < 1 || options.DigitsTestPerClass >= perClass)
            throw new ArgumentOutOfRangeException(nameof(options), $"DigitsTestPerClass must be in 1..{perClass - 1}");
        log($"digits: {Rows * Columns} 20x20 digits from {DigitsSource}");

        using var scope = torch.NewDisposeScope();
        var sheet = ImageIO.Read(DigitsSource, new ImageReadOptions { Mode = ImageMode.Gray }); // (1, 1000, 2000), values k/255
        if (sheet.size(1) != Rows * Cell || sheet.size(2) != Columns * Cell)
            throw new InvalidDataException($"'{DigitsSource}' is {sheet.size(2)}x{sheet.size(1)}, expected {Columns * Cell}x{Rows * Cell}");
        var images = sheet.mul(255).round().to(ScalarType.UInt8)
            .reshape(Rows, Cell, Columns, Cell).permute(0, 2, 1, 3) // (row, column, y, x)
            .reshape(Rows * Columns, Cell, Cell).contiguous();
        // Digit d fills rows 5d..5d+4; index = row * 100 + column.
        var labels = new long[Rows * Columns];
        for (var i = 0; i < labels.Length; i++) labels[i] = i / Columns / RowsPerDigit;

        // A fixed, stratified split: per class a seeded shuffle, the last DigitsTestPerClass for testing.
        var random = new Random(options.Seed);
        var train = new List<long>();
        var test = new List<long>();
        for (var d = 0; d < Classes; d++)
        {
            var members = Enumerable.Range(0, labels.Length).Where(i => labels[i] == d).Select(i => (long)i).ToArray();
            random.Shuffle(members);
            train.AddRange(members[..^options.DigitsTestPerClass]);
            test.AddRange(members[^options.DigitsTestPerClass..]);
        }
        train.Sort();
        test.Sort();
        var tensors = new Dictionary<string, Tensor>
        {
            ["images"] = images,
            ["labels"] = torch.tensor(labels, [labels.Length]),
            ["train_index"] = torch.tensor(train.ToArray(), [train.Count]),
            ["test_index"] = torch.tensor(test.ToArray(), [test.Count]),
        };
        var metadata = new Dictionary<string, string>
        {
            ["source"] = DigitsSource + " (Debian package opencv-doc)",
            ["license"] = OpenCvLicense,
            ["layout"] = "images uint8 [5000,20,20] white digit on black; labels int64 [5000]; the sheet's 50 rows x 100 columns, 5 rows per digit 0-9, index = row*100 + column",
            ["split"] = $"stratified, seed {options.Seed}: {options.DigitsTestPerClass} test digits per class",
        };
        Directory.CreateDirectory(Path.Combine(dir));
        SafeTensors.Save(Path.Combine(dir, Path.GetFileName(DigitsFile)), tensors, metadata);
        return labels.Length;
    }

    private sealed record SourceRecord(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("path")] string Path,
        [property: JsonPropertyName("package")] string Package,
        [property: JsonPropertyName("credit")] string Credit,
        [property: JsonPropertyName("license")] string License,
        [property: JsonPropertyName("split")] string Split,
        [property: JsonPropertyName("group")] string Group);
}
