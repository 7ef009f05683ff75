using System.CommandLine;

using Workbench.Data;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench data init</c>: build the default datasets from photos Debian packages ship.</summary>
internal static class DataCommand
{
    private static readonly Option<string> Root = new("--root") { Description = "Where the datasets go", DefaultValueFactory = _ => EmbeddedData.DefaultRoot };
    private static readonly Option<bool> Force = new("--force") { Description = "Rebuild parts that already exist" };
    private static readonly Option<bool> Quick = new("--quick") { Description = "Few crops per photo (a fast smoke test of the pipeline)" };
    private static readonly Option<int> CropSize = new("--crop-size") { Description = "Side of the training crops", DefaultValueFactory = _ => 128 };
    private static readonly Option<bool> Colorize = new("--colorize") { Description = $"Also build the colorization corpus ({ColorCorpus.DefaultDir} under the root's parent: colour photos of Debian's opencv-doc, skimage, sklearn, gcompris-qt-data and wallpaper packages; fetches packages that are not installed with apt-get download)" };
    private static readonly Option<string[]> HoldOutPackage = new("--hold-out-package")
    {
        Description = "With --colorize: leave this package's photos out of training (repeatable); they go whole to out-of-domain/PACKAGE/ and the corpus to colorize-without-PACKAGE",
        AllowMultipleArgumentsPerToken = false,
    };
    private static readonly Option<int> Seed = new("--seed") { Description = "Seed for crop positions and the digits split", DefaultValueFactory = _ => 0 };

    public static Command Create()
    {
        var init = new Command("init", "Build data/photos/train (crops), data/photos/test (held-out photos) and data/digits from Debian-shipped files; skips parts that exist");
        foreach (var option in new Option[] { Root, Force, Quick, Colorize, HoldOutPackage, CropSize, Seed }) init.Options.Add(option);
        init.SetGuardedAction((parse, cancel) => Task.FromResult(Init(parse, cancel)));

        var command = new Command("data", "Embedded default datasets");
        command.Subcommands.Add(init);
        return command;
    }

    private static int Init(ParseResult parse, CancellationToken cancel)
    {
        var options = new EmbeddedDataOptions
        {
            CropSize = parse.GetValue(CropSize),
            CropsPerScale = parse.GetValue(Quick) ? 1 : new EmbeddedDataOptions().CropsPerScale,
            Seed = parse.GetValue(Seed),
            Force = parse.GetValue(Force),
            Log = Console.WriteLine,
        };
        var s = EmbeddedData.Init(parse.GetValue(Root)!, options, cancel);
        foreach (var missing in s.MissingSources) Console.WriteLine($"missing: {missing}");
        if (!s.AlreadyPresent.Contains("photos"))
            Console.WriteLine($"photos:  {s.TrainCrops} training crops from {s.TrainSources} photos in photos/train, {s.TestImages} held-out photos in photos/test");
        if (!s.AlreadyPresent.Contains("digits"))
            Console.WriteLine($"digits:  {s.Digits} digits in {EmbeddedData.DigitsFile}");
        if (parse.GetValue(Colorize))
        {
            var heldOut = parse.GetValue(HoldOutPackage) ?? [];
            var name = heldOut.Length == 0 ? "colorize" : "colorize-without-" + string.Join("+", heldOut);
            InitColorCorpus(Path.Combine(parse.GetValue(Root)!, name), heldOut, parse.GetValue(Force), parse.GetValue(Quick), parse.GetValue(Seed), cancel);
        }
        Console.WriteLine($"done in {s.Elapsed.TotalSeconds:F1} s: {s.Root}{(s.AlreadyPresent.Count > 0 ? $" (already present: {string.Join(", ", s.AlreadyPresent)})" : "")}");
        return 0;
    }

    private static void InitColorCorpus(string dir, string[] heldOut, bool force, bool quick, int seed, CancellationToken cancel)
    {
        if (File.Exists(Path.Combine(dir, ColorCorpus.ReportFile)) && !force)
        {
            Console.WriteLine($"colorize: already present in {dir} (use --force to rebuild)");
            return;
        }
        var options = new ColorCorpusOptions
        {
            Seed = seed, CropsPerScale = quick ? 1 : new ColorCorpusOptions().CropsPerScale, HeldOutPackages = heldOut, Log = Console.WriteLine,
        };
        var summary = ColorCorpus.Build(dir, options, force, cancel);
        Console.WriteLine($"colorize: {summary.TrainCrops} training crops in {dir} ({summary.Elapsed.TotalSeconds:F0} s)");
        Console.WriteLine($"  {"package",-26} {"train",5} {"val",4} {"test",4} {"crops",6}{(heldOut.Length > 0 ? "  out-of-domain" : "")}");
        foreach (var p in summary.Packages)
            Console.WriteLine($"  {p.Package,-26} {p.Train,5} {p.Validation,4} {p.Test,4} {p.Crops,6}{(heldOut.Length > 0 ? $"  {p.OutOfDomain,13}" : "")}");
        foreach (var r in summary.Rejections) Console.WriteLine($"  left out {r.Id} ({r.Package}): {r.Reason}");
    }
}
