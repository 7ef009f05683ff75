using System.CommandLine;

using Workbench.Data;
using Workbench.Evaluation;
using Workbench.Inference;
using Workbench.Losses;
using Workbench.Models.Colorization;
using Workbench.Recipes;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench evaluate tune-colorizer MODEL --data VALIDATION --out FILE</c>: choose a Zhang colorizer's decoding
/// (annealed-mean temperature × chroma scale × smoothing × prior correction) on validation photos and write a copy of the weights that decodes so.
/// Training does this at its end; this redoes it for a file (other photos, another colourfulness floor).
/// </summary>
internal static class TuneColorizerCommand
{
    private static readonly Argument<string> ModelPath = new("model") { Description = "Zhang colorizer weights (.safetensors)" };
    private static readonly Option<string[]> Data = new("--data", "-d") { Description = "Folders of colour photos to choose on (the leave-one-photo-out estimate it prints is what the choice is worth on photos it did not see)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [Path.Combine(ColorCorpus.DefaultDir, "validation")] };
    private static readonly Option<string[]> With = new("--ensemble-with") { Description = "Other Zhang colorizers (other seeds, same width) to average with MODEL: the tuned file holds all their networks", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => [] };
    private static readonly Option<string> Out = new("--out", "-o") { Description = "Where the tuned weights go", Required = true };
    private static readonly Option<string> Train = new("--train") { Description = "Training crops to measure the class prior from, for a file that did not record its class weights (as the model was trained: rebalancing λ of the default config)", DefaultValueFactory = _ => Path.Combine(ColorCorpus.DefaultDir, "train") };
    private static readonly Option<double[]> Temperatures = new("--temperatures") { Description = "Annealed-mean temperatures to try (1 = the plain mean, lower = towards the mode)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => new ColorizeConfig().Temperatures };
    private static readonly Option<double[]> ChromaScales = new("--chroma-scales") { Description = "Chroma scales to try (a factor on the decoded ab; above 1 boosts colour)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => new ColorizeConfig().ChromaScales };
    private static readonly Option<double[]> Smoothings = new("--smoothings") { Description = "Gaussian σ, in quarter-resolution cells, of the spatial pooling of the ab distribution (0 = none)", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => new ColorizeConfig().Smoothings };
    private static readonly Option<double[]> PriorCorrections = new("--prior-corrections") { Description = "Prior corrections α to try (0..1; 1 divides the class rebalancing out), e.g. --prior-corrections 0 0.5 1", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => new ColorizeConfig().PriorCorrections };
    private static readonly Option<double[]> Certainties = new("--certainties") { Description = "Certainty exponents κ to try (0 = off; above 0 pulls each pixel's colour towards gray as its ab distribution splits between hues), e.g. --certainties 0 1 2", AllowMultipleArgumentsPerToken = true, DefaultValueFactory = _ => new ColorizeConfig().Certainties };
    private static readonly Option<int> RenderSize = new("--render-size", "-r") { Description = "Render size to choose the decoding at (the one `colorize` will use)", DefaultValueFactory = _ => 256 };
    private static readonly Option<double> MinShare = new("--min-colorfulness") { Description = "Colourfulness floor, as a share of the originals'", DefaultValueFactory = _ => new ColorizeConfig().MinColorfulnessShare };

    public static Command Create()
    {
        var command = new Command("tune-colorizer", "Choose a Zhang colorizer's decoding (temperature, chroma scale, smoothing, prior correction, certainty) on validation photos and save the tuned weights");
        command.Arguments.Add(ModelPath);
        foreach (var option in new Option[] { Data, With, Train, Temperatures, ChromaScales, Smoothings, PriorCorrections, Certainties, RenderSize, Out, MinShare }) command.Options.Add(option);
        command.SetGuardedAction((parse, cancel) => Task.FromResult(Run(parse)));
        return command;
    }

    private static int Run(ParseResult parse)
    {
        var path = parse.GetValue(ModelPath)!;
        var (zhang, info) = LoadZhang(path);
        var others = parse.GetValue(With)!.Select(p => LoadZhang(p).Model).ToList();
        var sources = others.Prepend(zhang).Zip([path, .. parse.GetValue(With)!], (m, p) => (p, m.Nets.Count)).ToList();
        if (others.Count > 0)
        {
            var single = zhang;
            zhang = ZhangColorizer.Ensemble([single, .. others]);
            foreach (var m in others.Prepend(single)) m.Dispose();
            Console.WriteLine($"ensemble of {zhang.Spec.Members} networks, decoding as '{path}' did");
        }
        using var _ = zhang;
        var folders = parse.GetValue(Data)!;
        if (folders.FirstOrDefault(f => !Directory.Exists(f)) is { } missing) throw new UsageException($"no folder '{missing}'");
        var files = ImagesDataset.FromDirsRecursive(folders).Files;
        if (files.Count == 0) throw new UsageException($"no photos in '{string.Join("', '", folders)}'");
        var grid = new DecodingGrid(parse.GetValue(Temperatures)!, parse.GetValue(ChromaScales)!, parse.GetValue(Smoothings)!, parse.GetValue(PriorCorrections)!, parse.GetValue(MinShare), parse.GetValue(Certainties));
        if (grid.Temperatures.Any(t => t <= 0) || grid.ChromaScales.Any(s => s <= 0) || grid.Smoothings.Any(s => s < 0))
            throw new UsageException("--temperatures and --chroma-scales must be above 0, --smoothings at least 0");
        if (grid.CertaintyExponents.Any(k => k < 0)) throw new UsageException($"--certainties must be at least 0, got {string.Join(" ", grid.CertaintyExponents)}");
        if (grid.PriorCorrections.Any(a => a is < 0 or > 1)) throw new UsageException($"--prior-corrections must lie in [0, 1], got {string.Join(" ", grid.PriorCorrections)}");
        if (grid.PriorCorrections.Any(a => a > 0) && !zhang.HasClassWeights && Directory.Exists(parse.GetValue(Train)))
        {
            var crops = ImagesDataset.FromDirsRecursive(new[] { parse.GetValue(Train)! }).Files;
            var loss = ZhangPrior.Loss(zhang, crops, new ColorizeConfig().RebalanceLambda, Console.Out);
            zhang.SetClassWeights(loss.ClassWeights!);
            Console.WriteLine($"class weights measured on {parse.GetValue(Train)} (the file recorded none); they are saved with the tuned copy");
        }
        var chosen = DecodingTuning.Tune(zhang, files, grid, Torch.Device.CPU, Console.Out, parse.GetValue(RenderSize)).Chosen;
        zhang.SetDecoding(chosen);
        var output = parse.GetValue(Out)!;
        ModelFile.Save(output, zhang, info with { Architecture = zhang.Spec.ToJson() }, EnsembleMetadata(sources));
        Console.WriteLine($"wrote {output}: {chosen}");
        return 0;
    }

    /// <summary>
    /// The tuned file's own metadata: the first file's (less the workbench.* keys Save writes), with each network's
    /// training config under the key of its place in the ensemble ("config" for net, "config_netK" for netK), so a
    /// rebuilt ensemble still says how every one of its networks was trained.
    /// </summary>
    private static Dictionary<string, string> EnsembleMetadata(IReadOnlyList<(string Path, int Networks)> sources)
    {
        var metadata = new Dictionary<string, string>();
        var offset = 0;
        foreach (var (path, networks) in sources)
        {
            var header = Torch.Serialization.SafeTensors.ReadHeader(path).Metadata;
            foreach (var (key, value) in header.Where(kv => !kv.Key.StartsWith("workbench.", StringComparison.Ordinal)))
            {
                var net = key == "config" ? 1 : key.StartsWith("config_net", StringComparison.Ordinal) && int.TryParse(key["config_net".Length..], out var k) ? k : 0;
                if (net > 0) metadata[offset + net == 1 ? "config" : $"config_net{offset + net}"] = value;
                else if (offset == 0) metadata[key] = value;
            }
            offset += networks;
        }
        return metadata;
    }

    private static (ZhangColorizer Model, ModelFileInfo Info) LoadZhang(string path)
    {
        var (model, info) = ModelFile.Load(path);
        if (model is ZhangColorizer zhang) return (zhang, info);
        model.Dispose();
        throw new UsageException($"'{path}' holds a {info.Network}; only Zhang colorizers have a decoding to tune");
    }
}
