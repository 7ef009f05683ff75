using System.Text.Json;

using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Data;

/// <summary>Which part of the colour corpus a photo belongs to.</summary>
public enum CorpusSplit
{
    Train,

    /// <summary>Chooses decoding settings (temperature, chroma scale, smoothing, prior correction) after training; never trained on.</summary>
    Validation,

    /// <summary>Never trained on. Training never chooses anything on it either; the shipped colorizer's decoding was chosen
    /// on validation and test together and is scored leave-one-photo-out (models/MODEL_CARD.md).</summary>
    Test,

    /// <summary>Every photo of a package left out of training as a whole (<see cref="ColorCorpusOptions.HeldOutPackages"/>):
    /// photos unlike the training ones, whatever split the catalogue gives them.</summary>
    OutOfDomain,
}

/// <summary>A photograph of the colour corpus: where a Debian package ships it and which split it is in.</summary>
public sealed record CorpusPhoto(string Id, string Package, string Path, CorpusSplit Split, string? Group = null)
{
    public string GroupKey => Group ?? Id;
}

/// <summary>Settings of <see cref="ColorCorpus.Build"/>.</summary>
public sealed record ColorCorpusOptions
{
    /// <summary>Side of the square training crops.</summary>
    public int CropSize { get; init; } = 128;

    /// <summary>Random crops per scale and training photo.</summary>
    public int CropsPerScale { get; init; } = 24;

    /// <summary>Scales 1, 1/2, 1/4 of the photo shrunk to <see cref="TrainLongSide"/> (whole-scene views down to details).</summary>
    public int Scales { get; init; } = 3;

    /// <summary>Training photos are first shrunk (area) so that their longer side is at most this: a 128 px crop then
    /// holds a recognisable part of a scene, not a texture patch of a 6000 px wallpaper.</summary>
    public int TrainLongSide { get; init; } = 768;

    /// <summary>Validation and test photos: longer side at most this.</summary>
    public int HeldOutLongSide { get; init; } = 512;

    public int Seed { get; init; }

    /// <summary>Packages left out of training as a whole: all their photos go to <c>out-of-domain/PACKAGE/</c> (the
    /// leave-package-out protocol, docs/colorization.md). Crops of the other packages are the same as in the full corpus.</summary>
    public IReadOnlyCollection<string> HeldOutPackages { get; init; } = [];

    /// <summary>Where packages that are not installed are fetched and unpacked.</summary>
    public string? PackageCache { get; init; }

    public Action<string>? Log { get; init; }
}

/// <summary>What went into the corpus, per package, and what was left out and why.</summary>
public sealed record ColorCorpusSummary(
    IReadOnlyList<ColorCorpusSummary.PackageCount> Packages,
    IReadOnlyList<ColorCorpusSummary.Rejected> Rejections,
    long TrainCrops,
    TimeSpan Elapsed)
{
    public sealed record PackageCount(string Package, int Train, int Validation, int Test, long Crops, int OutOfDomain = 0);

    public sealed record Rejected(string Id, string Package, string Reason);
}

/// <summary>
/// The colorization corpus, <c>data/colorize/</c>: colour photographs shipped by Debian packages (OpenCV's
/// samples, scikit-image, scikit-learn, the photographic wallpapers of the GNOME, MATE, Lomiri, UKUI and Sway
/// background packages, and the wildlife, farm, monument and music photographs the educational suite GCompris packs
/// into its activities' Qt resource bundles). The catalogue below was chosen by looking at contact sheets of every image those
/// packages ship (photographs only: no drawings, renders, logos, gradients or test patterns); every listed photo
/// must also pass <see cref="PhotoChecks"/> (colourful enough, not flat-filled) and not duplicate another, so a
/// package that later ships a different file under the same name is caught. Splits are by source photo and
/// near-duplicate group. Layout: <c>train/</c> crops (ImageSaver folders), <c>validation/</c>, <c>test/</c>
/// whole photos, <c>corpus.json</c> (sources, stats, counts per package). Built in a temporary folder and
/// renamed into place.
/// </summary>
public static class ColorCorpus
{
    public const string DefaultDir = "data/colorize";
    public const string ReportFile = "corpus.json";

    /// <summary>Subfolder of the held-out packages' photos, one folder per package.</summary>
    public const string OutOfDomainDir = "out-of-domain";

    private const string Backgrounds = "/usr/share/backgrounds/";
    private const string Mate = Backgrounds + "mate/nature/";
    private const string OpenCv = "/usr/share/doc/opencv-doc/examples/data/";

    /// <summary>The colour photographs: the embedded set's (same splits) and the wallpaper packages' photographs.</summary>
    public static IReadOnlyList<CorpusPhoto> Catalogue { get; } = BuildCatalogue();

    private static IReadOnlyList<CorpusPhoto> BuildCatalogue()
    {
        var photos = EmbeddedData.Photos
            .Select(p => new CorpusPhoto(p.Id, p.Package, p.Path, p.Split == PhotoSplit.Test ? CorpusSplit.Test : CorpusSplit.Train, p.Group))
            .ToList();
        photos.AddRange(
        [
            new("graffiti-1", "opencv-doc", OpenCv + "graf1.png", CorpusSplit.Train, "graffiti"),
            new("graffiti-3", "opencv-doc", OpenCv + "graf3.png", CorpusSplit.Train, "graffiti"),
            new("car", "opencv-doc", OpenCv + "licenseplate_motion.jpg", CorpusSplit.Train),
            // mate-backgrounds: close-ups of nature.
            new("aqua", "mate-backgrounds", Mate + "Aqua.jpg", CorpusSplit.Train),
            new("blinds", "mate-backgrounds", Mate + "Blinds.jpg", CorpusSplit.Train),
            new("dune", "mate-backgrounds", Mate + "Dune.jpg", CorpusSplit.Train),
            new("fresh-flower", "mate-backgrounds", Mate + "FreshFlower.jpg", CorpusSplit.Train),
            new("garden", "mate-backgrounds", Mate + "Garden.jpg", CorpusSplit.Train),
            new("green-meadow", "mate-backgrounds", Mate + "GreenMeadow.jpg", CorpusSplit.Train),
            new("ladybird", "mate-backgrounds", Mate + "LadyBird.jpg", CorpusSplit.Test),
            new("rain-drops", "mate-backgrounds", Mate + "RainDrops.jpg", CorpusSplit.Train),
            new("storm", "mate-backgrounds", Mate + "Storm.jpg", CorpusSplit.Validation),
            new("two-wings", "mate-backgrounds", Mate + "TwoWings.jpg", CorpusSplit.Train),
            new("wood", "mate-backgrounds", Mate + "Wood.jpg", CorpusSplit.Train),
            new("yellow-flower", "mate-backgrounds", Mate + "YellowFlower.jpg", CorpusSplit.Train),
            // lomiri-wallpapers-16.04 and -20.04: landscapes, animals, still lifes (ukui-wallpapers ships illustrations only).
            new("bridge", "lomiri-wallpapers-16.04", Backgrounds + "Bridge_by_Sander_Klootwijk.jpg", CorpusSplit.Validation),
            new("dragonfly", "lomiri-wallpapers-16.04", Backgrounds + "Dragonfly_by_Bolly.jpg", CorpusSplit.Validation),
            new("nuthatch", "lomiri-wallpapers-20.04", Backgrounds + "Kleiber_by_Lukas_Baubkus.jpg", CorpusSplit.Train),
            new("fig", "lomiri-wallpapers-16.04", Backgrounds + "Picture_0B_by_freespace.jpg", CorpusSplit.Train),
            new("brushes", "lomiri-wallpapers-16.04", Backgrounds + "Picture_1A_by_freespace.jpg", CorpusSplit.Train),
            new("wine", "lomiri-wallpapers-16.04", Backgrounds + "Wine_by_Jakkub_Mede.jpg", CorpusSplit.Test),
            new("aitzgorri", "lomiri-wallpapers-16.04", Backgrounds + "aitzgorri_by_Aitzol_Berasategi.jpg", CorpusSplit.Train),
            new("analog-pattern", "lomiri-wallpapers-16.04", Backgrounds + "analogpattern_by_Peter_Nerlich.jpg", CorpusSplit.Train),
            new("lamps", "lomiri-wallpapers-16.04", Backgrounds + "free_by_Peter_Nerlich.jpg", CorpusSplit.Train),
            new("dogs", "lomiri-wallpapers-16.04", Backgrounds + "friends_by_Aitzol_Berasategi.jpg", CorpusSplit.Test),
            new("stream", "lomiri-wallpapers-16.04", Backgrounds + "life_by_Aitzol_Berasategi.jpg", CorpusSplit.Train),
            new("picos-de-europa", "lomiri-wallpapers-16.04", Backgrounds + "picosdeeuropa_by_Aitzol_Berasategi.jpg", CorpusSplit.Test),
            new("seeding", "lomiri-wallpapers-16.04", Backgrounds + "seeding_by_Clements_Engelhardt.jpg", CorpusSplit.Train),
            new("sunset", "lomiri-wallpapers-16.04", Backgrounds + "sunset_by_Aitzol_Berasategi.jpg", CorpusSplit.Train),
        ]);
        // gcompris-qt-data: the photographs its activities pack into Qt resource bundles (the erase game's wildlife
        // close-ups, the explore games' farm and wild animals, monuments and musicians, the click game's sea floors).
        photos.AddRange(GCompris("erase", "erase/resource",
            "alpaca bee butterfly:butterfly-milkweed calf camels caterpillar chamaeleon cheetah crab dolphin flying_fox gibbon giraffe goat " +
            "gorilla! gosling! heron horse:pony kingfisher! kitten long_nosed_monkey macaque meerkats northern_harrier nubian_ibex penguin " +
            "pika red_panda rhinoceros spoonbills squirrel:red-squirrel toucan!"));
        photos.AddRange(GCompris("clickgame", "clickgame/resource", "sea1 sea2 sea3! sea4 sea5 sea6"));
        photos.AddRange(GCompris("explore_farm_animals", "explore_farm_animals/resource/animals",
            "cat:cat-and-wool chicken cow dog:shepherd-dog horse!:horses pig sheep"));
        photos.AddRange(GCompris("explore_world_animals", "explore_world_animals/resource/animals",
            "bison chameleon crocodile dragon giraffe:giraffes hedgehog jaguar kangaroo koala lemur! moose! narwhal panda polar_bear scarlet_macaw"));
        photos.AddRange(GCompris("explore_world_music", "explore_world_music/resource/music", "africa america australia ireland italy japan mexico orchestra"));
        photos.AddRange(GCompris("explore_monuments", "explore_monuments/resource",
            "egypt/bentPyramid egypt/greatPyramidOfGiza egypt/meidumPyramid " +
            "france/arlesAmphitheater france/chateaudeChambord france/chateaudeChenonceau france/citedeCarcassonne france/eiffelTower " +
            "france/montStMichel france/palaisdesPapes france/pontduGard! france/reimsCathedral france/rocamadour! " +
            "germany/aulaPalatina germany/berlinCathedral germany/brandenburgGate germany/neuschwansteinCastle germany/schwerinPalace " +
            "germany/trierImperialBaths germany/wormsCathedral " +
            "india/ajantaCave india/charminar india/gatewayofIndia india/goldenTemple india/greatStupa india/hawaMahal india/konarkSunTemple " +
            "india/mysorePalace india/qutubMinar india/rangGhar india/victoriaMemorial " +
            "usa/cabrillo usa/canyondeChelly usa/castillodeSanMarcos usa/fortSumter usa/georgeWashingtonBirthplace usa/lincolnMemorial " +
            "usa/mountRushmore usa/navajo usa/statueofLiberty " +
            "wonders/chichenItza wonders/christTheRedeemer wonders/colosseum wonders/greatWallofChina wonders/machuPicchu wonders/petra wonders/tajMahal"));
        return photos;
    }

    private const string GComprisBundles = "/usr/share/gcompris-qt/rcc/";

    /// <summary>
    /// Photos of one GCompris activity's bundle: space-separated resource names (.webp) under <paramref name="folder"/>,
    /// each optionally renamed (<c>name:id</c>, where the name would repeat another photo's id) and marked held out
    /// for testing with <c>!</c>. Ids are the names in kebab case.
    /// </summary>
    private static IEnumerable<CorpusPhoto> GCompris(string activity, string folder, string names) =>
        names.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(entry =>
        {
            var test = entry.Contains('!');
            var parts = entry.Replace("!", "").Split(':');
            var id = parts.Length > 1 ? parts[1] : KebabCase(parts[0][(parts[0].LastIndexOf('/') + 1)..]);
            var path = $"{GComprisBundles}{activity}.rcc:/gcompris/src/activities/{folder}/{parts[0]}.webp";
            return new CorpusPhoto(id, "gcompris-qt-data", path, test ? CorpusSplit.Test : CorpusSplit.Train);
        });

    private static string KebabCase(string name) =>
        string.Concat(name.Replace('_', '-').Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    /// <summary>
    /// Images the packages ship that were looked at and left out (not photographs): a record of the review, and
    /// what the corpus test runs <see cref="PhotoChecks"/> against.
    /// </summary>
    public static IReadOnlyDictionary<string, string> ReviewedOut { get; } = new Dictionary<string, string>
    {
        ["gnome-backgrounds"] = "all abstract renders and patterns (adwaita, blobs, drool, grid, licorice, pixels, symbolic, truchet, wood, vnc)",
        ["sway-backgrounds"] = "the Sway logo on a blue gradient, at eight sizes",
        ["mate-backgrounds"] = "abstract/ (renders, gradients, Elephants at three sizes) and desktop/ (stripes, logos)",
        ["lomiri-wallpapers"] = "warty-final-ubuntu and lomiri-default-background: gradient renders",
        ["lomiri-wallpapers-16.04"] = "greentock (a rendered clock)",
        ["lomiri-wallpapers-20.04"] = "Fossa, Infinite-Sea, Painting-Colors: renders and digital paintings",
        ["gcompris-qt-data"] = "explore_monuments castleClinton and erase swans (black-and-white photographs); the paintings (babyshapes, " +
            "details, paintings), the drawn word pictures (lang), the planets (gravity, solar_system) and cut-out hands (leftright); " +
            "categorization's and details' 320–700 px photos (many repeat the monuments above)",
        ["ukui-wallpapers"] = "calla, city, desert, firstgeneration, fluent-color, focal-ubuntukylin, goldfish, rhythm, rollpaper, string, the-mouse, umang, 2004default: illustrations and renders",
    };

    /// <summary>Builds <paramref name="dir"/> (replacing it when <paramref name="force"/>; otherwise an existing corpus is kept).</summary>
    /// <param name="catalogue">The photos; default <see cref="Catalogue"/> (tests pass their own).</param>
    public static ColorCorpusSummary Build(string dir = DefaultDir, ColorCorpusOptions? options = null, bool force = false, CancellationToken cancel = default,
        IReadOnlyList<CorpusPhoto>? catalogue = null)
    {
        catalogue ??= Catalogue;
        options ??= new ColorCorpusOptions();
        var log = options.Log ?? (_ => { });
        var clock = System.Diagnostics.Stopwatch.StartNew();
        dir = Path.GetFullPath(dir);
        if (File.Exists(Path.Combine(dir, ReportFile)) && !force)
            throw new IOException($"'{dir}' already holds a corpus ({ReportFile}); use --force to rebuild it");
        CheckSplitIsBySource(catalogue);
        var packages = new DebianPackageFiles(options.PackageCache ?? Path.Combine(Path.GetDirectoryName(dir)!, "packages"), log);
        var unknown = options.HeldOutPackages.Except(catalogue.Select(p => p.Package)).ToList();
        if (unknown.Count > 0) throw new ArgumentException($"no photos of {string.Join(", ", unknown)} in the catalogue (packages: {string.Join(", ", catalogue.Select(p => p.Package).Distinct())})");
        catalogue = catalogue.Select(p => options.HeldOutPackages.Contains(p.Package) ? p with { Split = CorpusSplit.OutOfDomain } : p).ToList();

        var parent = Path.GetDirectoryName(dir)!;
        Directory.CreateDirectory(parent);
        var temporary = Path.Combine(parent, $".{Path.GetFileName(dir)}.tmp-{Guid.NewGuid():N}");
        Directory.CreateDirectory(temporary);
        try
        {
            var summary = BuildInto(temporary, catalogue, packages, options, log, cancel) with { Elapsed = clock.Elapsed };
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
            Directory.Move(temporary, dir);
            return summary;
        }
        catch
        {
            Directory.Delete(temporary, recursive: true);
            throw;
        }
    }

    private static ColorCorpusSummary BuildInto(string dir, IReadOnlyList<CorpusPhoto> catalogue, DebianPackageFiles packages, ColorCorpusOptions options, Action<string> log, CancellationToken cancel)
    {
        var staged = Path.Combine(dir, ".sources");
        Directory.CreateDirectory(staged);
        var accepted = new List<(CorpusPhoto Photo, PhotoStats Stats, string File)>();
        var rejected = new List<ColorCorpusSummary.Rejected>();
        foreach (var photo in catalogue)
        {
            cancel.ThrowIfCancellationRequested();
            var content = packages.ReadAllBytes(photo.Package, photo.Path);
            if (content is null)
            {
                rejected.Add(new(photo.Id, photo.Package, $"not found: {photo.Path}"));
                continue;
            }
            using var scope = torch.NewDisposeScope();
            var image = ImageIO.ReadBytes(content, photo.Path);
            var stats = PhotoChecks.Measure(image);
            var reason = PhotoChecks.Rejection(stats)
                ?? accepted.Where(a => PhotoChecks.SamePicture(a.Stats, stats)).Select(a => $"duplicate of {a.Photo.Id}").FirstOrDefault();
            if (reason is not null)
            {
                rejected.Add(new(photo.Id, photo.Package, reason));
                log($"  left out {photo.Id}: {reason}");
                continue;
            }
            var longSide = photo.Split == CorpusSplit.Train ? options.TrainLongSide : options.HeldOutLongSide;
            var target = photo.Split switch
            {
                CorpusSplit.Train => Path.Combine(staged, photo.Id + ".png"),
                CorpusSplit.Validation => Path.Combine(dir, "validation", photo.Id + ".png"),
                CorpusSplit.OutOfDomain => Path.Combine(dir, OutOfDomainDir, photo.Package, photo.Id + ".png"),
                _ => Path.Combine(dir, "test", photo.Id + ".png"),
            };
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            ImageIO.Write(target, Shrink(image, longSide));
            accepted.Add((photo, stats, target));
        }

        var train = accepted.Where(a => a.Photo.Split == CorpusSplit.Train).ToList();
        log($"train: {options.CropSize}x{options.CropSize} crops from {train.Count} photos");
        var prepare = new PrepareOptions
        {
            CropSize = options.CropSize,
            CropsPerScale = options.CropsPerScale,
            MaxScales = options.Scales,
            Seed = options.Seed,
            MaxParallelism = 1, // crop numbers follow the catalogue: the same corpus on every machine
        };
        // Sources keyed by their names relative to the staging folder: crop positions are seeded by the key, so the
        // corpus is the same wherever (and in whichever temporary folder) it is built.
        var crops = DatasetPreparation.Run(staged, Path.Combine(dir, "train"), prepare, cancel: cancel);
        if (crops.Cancelled) throw new OperationCanceledException(cancel);
        if (crops.Bad.Count > 0) throw new InvalidDataException("corpus photos could not be cut: " + string.Join("; ", crops.Bad.Select(b => $"{b.Source}: {b.Reason}")));
        var cropsPerFile = CropsPerSource(Path.Combine(dir, "train"));
        Directory.Delete(staged, recursive: true);

        var counts = accepted.GroupBy(a => a.Photo.Package).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ColorCorpusSummary.PackageCount(
            g.Key,
            g.Count(a => a.Photo.Split == CorpusSplit.Train),
            g.Count(a => a.Photo.Split == CorpusSplit.Validation),
            g.Count(a => a.Photo.Split == CorpusSplit.Test),
            g.Sum(a => cropsPerFile.GetValueOrDefault(Path.GetFileName(a.File))),
            g.Count(a => a.Photo.Split == CorpusSplit.OutOfDomain))).ToList();
        var report = new
        {
            options = new { options.CropSize, options.CropsPerScale, options.Scales, options.TrainLongSide, options.HeldOutLongSide, options.Seed, options.HeldOutPackages },
            filter = new { PhotoChecks.MinColorfulness, PhotoChecks.MaxFlatFraction, PhotoChecks.DuplicateBits },
            packages = counts,
            photos = accepted.Select(a => new
            {
                a.Photo.Id, a.Photo.Package, source = a.Photo.Path, split = a.Photo.Split.ToString().ToLowerInvariant(), group = a.Photo.GroupKey,
                colorfulness = Math.Round(a.Stats.Colorfulness, 1), flat = Math.Round(a.Stats.FlatFraction, 3), dhash = a.Stats.Hash.ToString("x16"),
            }),
            rejected,
            reviewedOut = ReviewedOut,
        };
        AtomicFile.WriteAllText(Path.Combine(dir, ReportFile), JsonSerializer.Serialize(report, new JsonSerializerOptions { WriteIndented = true }));
        return new ColorCorpusSummary(counts, rejected, crops.CropsWritten, TimeSpan.Zero);
    }

    /// <summary>Crops per source file, read back from the preparation manifest.</summary>
    private static Dictionary<string, long> CropsPerSource(string trainDir)
    {
        var counts = new Dictionary<string, long>();
        foreach (var line in File.ReadLines(Path.Combine(trainDir, DatasetPreparation.ManifestName)))
        {
            using var json = JsonDocument.Parse(line);
            if (json.RootElement.TryGetProperty("source", out var source) && json.RootElement.TryGetProperty("count", out var count))
                counts[source.GetString()!] = count.GetInt64();
        }
        return counts;
    }

    private static Tensor Shrink(Tensor image, int longSide)
    {
        var (h, w) = (image.size(1), image.size(2));
        var scale = Math.Min(1.0, longSide / (double)Math.Max(h, w));
        return scale >= 1 ? image
            : ImageResize.Resize(image, Math.Max(1, (int)Math.Round(h * scale)), Math.Max(1, (int)Math.Round(w * scale)), InterpolationMode.Area).clamp(0, 1);
    }

    /// <summary>Throws if a near-duplicate group spans two splits, or an id repeats.</summary>
    internal static void CheckSplitIsBySource(IReadOnlyList<CorpusPhoto> photos)
    {
        var mixed = photos.GroupBy(p => p.GroupKey).Where(g => g.Select(p => p.Split).Distinct().Count() > 1).Select(g => g.Key).ToList();
        if (mixed.Count > 0) throw new InvalidOperationException($"photo groups in two splits: {string.Join(", ", mixed)}");
        var ids = photos.GroupBy(p => p.Id).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (ids.Count > 0) throw new InvalidOperationException($"duplicate photo ids: {string.Join(", ", ids)}");
    }
}
