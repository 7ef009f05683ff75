using System.CommandLine;

using Workbench.Inference;
using Workbench.Models.SuperResolution;
using Workbench.Torch;
using Workbench.Video;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench upscale IN OUT --model weights.safetensors</c>: super-resolve an image, or every image in a folder.</summary>
internal static class UpscaleCommand
{
    private static readonly Argument<string> Input = new("input") { Description = "Image or video file (.mp4, .avi, .mov, .mkv, ...), or a folder of them (searched recursively)" };
    private static readonly Argument<string> Output = new("output") { Description = "Output image (format by extension) or video (.mp4, .avi, .mov, .mkv), or a folder when INPUT is one" };
    private static readonly Option<string?> Model = new("--model", "-m") { Description = $"Weights: .safetensors (files saved by Workbench record their architecture and scale) or a PyTorch .pth (BasicSR/Real-ESRGAN RRDBNet, ESPCN; recognised by its keys) [default: models/{ShippedModels.EspcnX2}, the quickstart's ESPCN x2]" };
    private static readonly Option<string?> Arch = new("--arch") { Description = $"Architecture, where weights without metadata fit several or none of the registered key layouts: {string.Join(", ", SuperResolutionModels.Architectures)}" };
    private static readonly Option<int?> Scale = new("--scale", "-s") { Description = "Upscaling factor, for weights without metadata (2, 4, ...)" };
    private static readonly Option<string?> PipelineOption = new("--pipeline") { Description = "realesrgan: Real-ESRGAN's inference_realesrgan.py semantics (pre-pad, tiles, outscale, alpha, rounding); workbench: mirrored borders, tiles blended over --overlap, bicubic alpha, --compare [default: realesrgan for PyTorch .pth/.pt files and whenever a Real-ESRGAN flag is given, workbench otherwise]" };
    private static readonly Option<int?> Tile = new("--tile", "-t") { Description = "Tile side in input pixels (0 = whole image at once) [default: 0 with realesrgan, as upstream; 256 with workbench]" };
    private static readonly Option<int> Overlap = new("--overlap") { Description = "workbench: context pixels around each tile; tiles blend over this width", DefaultValueFactory = _ => 16 };
    private static readonly Option<int?> TilePad = new("--tile-pad") { Description = "realesrgan: context pixels read around each tile, clipped at the image border [default: 10]" };
    private static readonly Option<int?> PrePad = new("--pre-pad") { Description = "realesrgan: pixels reflected onto the bottom and right before the network, cropped after [default: 0]" };
    private static readonly Option<double?> OutScale = new("--outscale") { Description = "realesrgan: final size / input size; the network's output is Lanczos-resized to int(side × outscale) [default: the network's scale]" };
    private static readonly Option<string?> Alpha = new("--alpha") { Description = "realesrgan: alpha upscaled by the network (model, upstream's default; also 'realesrgan') or by a bilinear resize (resize; also upstream's 'bicubic', which is bilinear)" };
    private static readonly Option<bool> TileBlend = new("--tile-blend") { Description = "realesrgan, not upstream: blend neighbouring tiles over --tile-pad around each seam (reading tile-pad/2 more context) so seams do not show" };
    private static readonly Option<bool> Compare = new("--compare") { Description = "workbench: write bicubic | network side by side" };
    private static readonly Option<string> DeviceOption = new("--device") { Description = "cpu or cuda", DefaultValueFactory = _ => "cpu" };
    private static readonly Option<bool> Overwrite = new("--overwrite") { Description = "Replace output files that already exist (otherwise the command refuses and writes nothing)" };

    public static Command Create()
    {
        var command = new Command("upscale", "Upscale images with a super-resolution network (tiled, any size; alpha and 16-bit kept)");
        command.Arguments.Add(Input);
        command.Arguments.Add(Output);
        foreach (var option in new Option[] { Model, Arch, Scale, PipelineOption, Tile, TilePad, PrePad, OutScale, Alpha, TileBlend, Overlap, Compare, DeviceOption, Overwrite }.Concat(VideoCommand.All))
            command.Options.Add(option);
        // On the thread pool: the action must return its Task at once for Ctrl-C to reach the token.
        command.SetGuardedAction((parse, cancel) => Task.Run(() => Run(parse, cancel), CancellationToken.None));
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
        var video = new VideoJob(isFolder ? VideoCommand.PlanFolder(input, output, overwrite) : [], !isFolder && VideoFiles.IsVideo(input),
            VideoCommand.Range(parse), VideoCommand.CheckedStrength(parse), VideoCommand.ParseFlow(parse));
        if (video.IsVideo) VideoCommand.CheckOutput(input, output, overwrite);
        else if (!isFolder) ColorizeCommand.CheckSingleOutput(input, output, overwrite);
        var device = parse.GetValue(DeviceOption) switch
        {
            "cpu" => Device.CPU,
            "cuda" when torch.cuda.is_available() => new Device(DeviceType.CUDA, 0),
            "cuda" => throw new UsageException("--device cuda: no CUDA device is available"),
            var other => throw new UsageException($"--device must be cpu or cuda, got '{other}'"),
        };
        if (UsesRealEsrgan(parse, weights)) return RunRealEsrgan(parse, input, output, weights, device, isFolder, overwrite, video, cancel);
        var options = new UpscaleOptions { Tile = parse.GetValue(Tile) ?? 256, Overlap = parse.GetValue(Overlap), Device = device };
        using var upscaler = Upscaler.FromFile(weights, parse.GetValue(Arch), parse.GetValue(Scale), options);
        var compare = parse.GetValue(Compare);
        if (video.IsVideo)
        {
            if (compare) throw new UsageException("--compare writes a picture side by side; it does not apply to video");
            VideoCommand.RunOne(input, output, new UpscaleFrames(upscaler, video.Strength, video.Flow), video.Range, overwrite, cancel);
            return 0;
        }

        if (!isFolder)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder) Directory.CreateDirectory(folder);
            Print(upscaler.UpscaleFile(input, output, compare, overwrite));
            return 0;
        }
        return ReportFolder(progress => upscaler.UpscaleFolder(input, output, compare, progress, cancel, overwrite), $"{upscaler.Scale}", output,
            () => VideoCommand.RunFolder(video.Folder, () => new UpscaleFrames(upscaler, video.Strength, video.Flow), video.Range, overwrite, cancel));
    }

    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    /// <summary>The pipeline: as --pipeline says, else Real-ESRGAN's for published PyTorch files or when one of its flags is given.</summary>
    private static bool UsesRealEsrgan(ParseResult parse, string weights)
    {
        Option[] realEsrganOnly = [TilePad, PrePad, OutScale, Alpha, TileBlend];
        var given = realEsrganOnly.Where(o => Given(parse, o)).Select(o => o.Name).ToList();
        switch (parse.GetValue(PipelineOption))
        {
            case "realesrgan":
                break;
            case "workbench":
                if (given.Count > 0) throw new UsageException($"{string.Join(", ", given)}: Real-ESRGAN pipeline options; drop them or use --pipeline realesrgan");
                return false;
            case null:
                if (given.Count > 0 || Path.GetExtension(weights).ToLowerInvariant() is ".pth" or ".pt") break;
                return false;
            case var other:
                throw new UsageException($"--pipeline must be realesrgan or workbench, got '{other}'");
        }
        Option[] workbenchOnly = [Overlap, Compare];
        if (workbenchOnly.Where(o => Given(parse, o)).Select(o => o.Name).ToList() is { Count: > 0 } wrong)
            throw new UsageException($"{string.Join(", ", wrong)}: Workbench pipeline options, not Real-ESRGAN's; use --pipeline workbench for them");
        return true;
    }

    private static int RunRealEsrgan(ParseResult parse, string input, string output, string weights, Device device, bool isFolder, bool overwrite, VideoJob video, CancellationToken cancel)
    {
        var options = new RealEsrganOptions
        {
            Tile = parse.GetValue(Tile) ?? 0,
            TilePad = parse.GetValue(TilePad) ?? 10,
            PrePad = parse.GetValue(PrePad) ?? 0,
            OutScale = parse.GetValue(OutScale),
            Alpha = parse.GetValue(Alpha) switch
            {
                // upstream's alpha_upsampler names too: 'realesrgan', and 'bicubic' (which upstream runs as a bilinear resize)
                null or "model" or "realesrgan" => AlphaUpsampler.Model,
                "resize" or "bicubic" => AlphaUpsampler.Resize,
                var other => throw new UsageException($"--alpha must be model or resize, got '{other}'"),
            },
            TileBlend = parse.GetValue(TileBlend),
            Device = device,
        };
        using var upscaler = RealEsrganer.FromFile(weights, parse.GetValue(Arch), parse.GetValue(Scale), options);
        if (video.IsVideo)
        {
            VideoCommand.RunOne(input, output, new UpscaleFrames(upscaler, video.Strength, video.Flow), video.Range, overwrite, cancel);
            return 0;
        }
        if (!isFolder)
        {
            if (Path.GetDirectoryName(Path.GetFullPath(output)) is { } folder) Directory.CreateDirectory(folder);
            Print(upscaler.UpscaleFile(input, output, overwrite));
            return 0;
        }
        return ReportFolder(progress => upscaler.UpscaleFolder(input, output, progress, cancel, overwrite), $"{options.OutScale ?? upscaler.Scale}", output,
            () => VideoCommand.RunFolder(video.Folder, () => new UpscaleFrames(upscaler, video.Strength, video.Flow), video.Range, overwrite, cancel));
    }

    /// <summary>Runs a folder, printing each image as it finishes and then the count, then its videos (<paramref name="runVideos"/>
    /// returns how many failed); exit code 1 when any image or video failed.</summary>
    private static int ReportFolder(Func<Action<UpscaleFolderEntry>, IReadOnlyList<UpscaleFolderEntry>> run, string scale, string output, Func<int> runVideos)
    {
        var entries = run(entry =>
        {
            if (entry.Result is { } r) Print(r);
            else Console.Error.WriteLine($"failed: {entry.Input}: {entry.Error!.Message}");
        });
        var failed = entries.Count(e => e.Error is not null);
        Console.WriteLine($"{entries.Count - failed} of {entries.Count} image(s) upscaled x{scale} into {output}{(failed > 0 ? $"; {failed} failed" : "")}");
        failed += runVideos();
        return failed > 0 ? 1 : 0;
    }

    /// <summary>The video part of a run: a folder's videos, or whether the single input is one, and the video options.</summary>
    private sealed record VideoJob(IReadOnlyList<(string Input, string Output)> Folder, bool IsVideo, VideoRange Range, double Strength, FlowMethod Flow);

    private static void Print(UpscaleFileResult r) =>
        Console.WriteLine($"{r.Input} → {r.Output}: {r.Width}x{r.Height} → {r.OutputWidth}x{r.OutputHeight}" +
            $"{(r.Alpha ? ", alpha" : "")}{(r.BitDepth == 16 ? ", 16-bit" : "")}, {r.Tiles} tile(s), {r.Elapsed.TotalSeconds:F1} s");
}
