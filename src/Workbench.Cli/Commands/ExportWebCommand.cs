using System.CommandLine;

using Workbench.Export;
using Workbench.Inference;
using Workbench.Models.SuperResolution;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench export web OUT [--model W]... [--fp16] [--serve [--port N]]</c>: the colorizer and upscaler as a static page.</summary>
internal static class ExportWebCommand
{
    private static readonly Argument<string> Out = new("out") { Description = "Folder to write (new, empty, or an earlier export)" };
    private static readonly Option<string[]> Models = new("--model", "-m")
    {
        Description = $"A colorizer or super-resolution weights file (repeatable); each replaces the shipped model of its kind [default: models/{ShippedModels.Colorizer} and models/{ShippedModels.EspcnX2}]",
        AllowMultipleArgumentsPerToken = true,
    };
    private static readonly Option<bool> NoColorizer = new("--no-colorizer") { Description = "Leave the colorizer out (an upscale-only page)" };
    private static readonly Option<bool> NoUpscaler = new("--no-upscaler") { Description = "Leave the upscaler out (a colorize-only page)" };
    private static readonly Option<bool> Fp16 = new("--fp16") { Description = "Store the weights as float16 (half the download; the page computes in float32; see docs/web.md for its quality)" };
    private static readonly Option<bool> Serve = new("--serve") { Description = "Then serve the folder on localhost (COOP/COEP headers for WASM threads) until Ctrl-C" };
    private static readonly Option<int> Port = new("--port") { Description = "Port for --serve (0: any free port)", DefaultValueFactory = _ => 8000 };

    public static Command Create()
    {
        var web = new Command("web", "Write a static web page that colorizes and upscales photos in the browser (onnxruntime-web; nothing leaves the device)");
        web.Arguments.Add(Out);
        foreach (var option in new Option[] { Models, NoColorizer, NoUpscaler, Fp16, Serve, Port }) web.Options.Add(option);
        web.SetGuardedAction((parse, cancel) => Task.Run(() => Run(parse, cancel), CancellationToken.None));
        return web;
    }

    private static async Task<int> Run(ParseResult parse, CancellationToken cancel)
    {
        var port = parse.GetValue(Port);
        if (port is < 0 or > 65535) throw new UsageException($"--port must be 0..65535, got {port}");
        string? colorizer = null, upscaler = null;
        foreach (var path in parse.GetValue(Models) ?? Array.Empty<string>())
        {
            if (!File.Exists(path)) throw new UsageException($"--model '{path}' does not exist");
            if (IsSuperResolution(path)) upscaler = upscaler is null ? path : throw new UsageException("--model: give at most one super-resolution model");
            else colorizer = colorizer is null ? path : throw new UsageException("--model: give at most one colorizer");
        }
        if (!parse.GetValue(NoColorizer)) colorizer ??= ShippedModels.PathOf(ShippedModels.Colorizer);
        else colorizer = null;
        if (!parse.GetValue(NoUpscaler)) upscaler ??= ShippedModels.PathOf(ShippedModels.EspcnX2);
        else upscaler = null;
        if (colorizer is null && upscaler is null) throw new UsageException("--no-colorizer and --no-upscaler leave nothing to export");
        var outDir = parse.GetValue(Out)!;
        var files = WebExporter.Export(outDir, new WebExportOptions(colorizer, upscaler, WebExporter.FindRuntime(), parse.GetValue(Fp16)));
        foreach (var file in files) Console.WriteLine($"  {file.Path,-36} {file.Bytes / 1e6,8:F2} MB");
        Console.WriteLine($"{outDir}: {files.Count} files, {files.Sum(f => f.Bytes) / 1e6:F1} MB (colorizer: {(colorizer is null ? "none" : Path.GetFileName(colorizer))}, upscaler: {(upscaler is null ? "none" : Path.GetFileName(upscaler))})");
        if (!parse.GetValue(Serve)) return 0;
        using var server = new StaticWebServer(outDir, port);
        Console.WriteLine($"serving {outDir} at {server.Url} (Ctrl-C stops)");
        await server.RunAsync(cancel).ConfigureAwait(false);
        return 0;
    }

    /// <summary>True when the file loads as a super-resolution network (else it is taken for a colorizer).</summary>
    private static bool IsSuperResolution(string path)
    {
        try
        {
            var (model, _, _) = SuperResolutionModels.Load(path);
            model.Dispose();
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
