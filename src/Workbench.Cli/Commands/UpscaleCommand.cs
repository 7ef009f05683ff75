using System.CommandLine;

using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench upscale IN OUT --model weights.safetensors</c>: super-resolve an image, or every image in a folder.</summary>
internal static class UpscaleCommand
{
    private static readonly Argument<string> Input = new("input") { Description = "Image file, or a folder of images (searched recursively)" };
    private static readonly Argument<string> Output = new("output") { Description = "Output image (format by extension), or a folder when INPUT is one" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"Weights: .safetensors (files saved by Workbench record their architecture and scale) or a PyTorch .pth (BasicSR/Real-ESRGAN RRDBNet, ESPCN; recognised by its keys) [default: models/{ShippedModels.EspcnX2}, the quickstart's ESPCN x2]" };
    private static readonly Option<string?> Arch = new("--arch") { Description = $"Architecture, where weights without metadata fit several or none of the registered key layouts: {string.Join(", ", SuperResolutionModels.Architectures)}" };
    private static readonly Option<int?> Scale = new("--scale", "-s") { Description = "Upscaling factor, for weights without metadata (2, 4, ...)" };
    private static readonly Option<int> Tile = new("--tile") { Description = "Tile side in input pixels (0 = whole image at once)", DefaultValueFactory = _ => 256 };
    private static readonly Option<int> Overlap = new("--overlap") { Description = "Context pixels around each tile; tiles blend over this width", DefaultValueFactory = _ => 16 };
    private static readonly Option<bool> Compare = new("--compare") { Description = "Write bicubic | network side by side" };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace output files that already exist (otherwise the command refuses and writes nothing)" };

    public static Command Create()
    {
        var command = new Command("upscale", "Upscale images with a super-resolution network (tiled, any size; alpha and 16-bit kept)");
        command.Arguments.Add(Input);
        command.Arguments.Add(Output);
        foreach (var option in new Option[] { Model, Arch, Scale, Tile, Overlap, Compare, DeviceOption, Overwrite }) command.Options.Add(option);
        command.SetGuardedAction((parse, cancel) => Task.FromResult(Run(parse, cancel)));
        return command;
    }

    private static int Run(ParseResult parse, CancellationToken cancel)
    {
        var input = parse.GetValue(Input)!;
        var output = parse.GetValue(Output)!;
        var weights = parse.GetValue(Model) ?? ShippedModels.PathOf(ShippedModels.EspcnX2);
        if (!File.Exists(weights)) throw new FileNotFoundException($"weights file '{weights}' does not exist");
        var isFolder = Directory.Exists(input);
        if (!isFolder && !File.Exists(input)) throw new FileNotFoundException($"input '{input}' does not exist");
        var overwrite = parse.GetValue(Overwrite);
        // Checked before the model loads: a refused run costs nothing.
        if (isFolder) ColorizeCommand.FolderPlan(input, output, Upscaler.PlanFolder, overwrite);
        else ColorizeCommand.CheckSingleOutput(input, output, overwrite);
        var device = parse.GetValue(DeviceOption) switch
        {
            "cpu" => Device.CPU,
            "cuda" when torch.cuda.is_available() => new Device(DeviceType.CUDA, 0),
            "cuda" => throw new UsageException("--device cuda: no CUDA device is available"),
            var other => throw new UsageException($"--device must be cpu or cuda, got '{other}'"),
        };
        var options = new UpscaleOptions { Tile = parse.GetValue(Tile), Overlap = parse.GetValue(Overlap), Device = device };
        using var upscaler = Upscaler.FromFile(weights, parse.GetValue(Arch), parse.GetValue(Scale), options);
        var compare = parse.GetValue(Compare);

        if (!isFolder)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder) Directory.CreateDirectory(folder);
            Print(upscaler.UpscaleFile(input, output, compare, overwrite));
            return 0;
        }
        var entries = upscaler.UpscaleFolder(input, output, compare, entry =>
        {
            if (entry.Result is { } r) Print(r);
            else Console.Error.WriteLine($"failed: {entry.Input}: {entry.Error!.Message}");
        }, cancel, overwrite);
        var failed = entries.Count(e => e.Error is not null);
        Console.WriteLine($"{entries.Count - failed} of {entries.Count} image(s) upscaled x{upscaler.Scale} into {output}{(failed > 0 ? $"; {failed} failed" : "")}");
        return failed > 0 ? 1 : 0;
    }

    private static void Print(UpscaleFileResult r) =>
        Console.WriteLine($"{r.Input} → {r.Output}: {r.Width}x{r.Height} → {r.OutputWidth}x{r.OutputHeight}" +
            $"{(r.Alpha ? ", alpha" : "")}{(r.BitDepth == 16 ? ", 16-bit" : "")}, {r.Tiles} tile(s), {r.Elapsed.TotalSeconds:F1} s");
}
