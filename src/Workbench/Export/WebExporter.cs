using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Inference;
using Workbench.Models.Colorization;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

namespace Workbench.Export;

/// <summary>What <see cref="WebExporter.Export"/> writes: which models, and whether their weights are float16.</summary>
/// <param name="Colorizer">Colorizer weights (null: none on the page).</param>
/// <param name="Upscaler">Super-resolution weights (null: none on the page).</param>
/// <param name="RuntimeDir">onnxruntime-web's <c>dist</c> folder (the npm package in tools/npm).</param>
public sealed record WebExportOptions(string? Colorizer, string? Upscaler, string RuntimeDir, bool Float16 = false);

/// <summary>One file of the written folder and its size.</summary>
public sealed record WebExportFile(string Path, long Bytes);

/// <summary>
/// Writes a static web page that colorizes and upscales photos in the browser (onnxruntime-web, WASM): the page's
/// sources (embedded from Export/Web), the models as ONNX with a manifest of how the CLI runs them, and the runtime's
/// files copied from the npm package. Nothing on the page is fetched from another origin.
/// </summary>
public static class WebExporter
{
    /// <summary>The runtime files the page loads: the WASM build's module, its worker/loader and the binary.</summary>
    public static readonly string[] RuntimeFiles = { "ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm" };

    private const string ResourcePrefix = "Workbench.Export.Web.";

    /// <summary>The page's own files (name → contents), as embedded at build time.</summary>
    public static IReadOnlyDictionary<string, byte[]> PageFiles()
    {
        var assembly = typeof(WebExporter).Assembly;
        var files = new Dictionary<string, byte[]>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(r => r.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            files[resource[ResourcePrefix.Length..]] = memory.ToArray();
        }
        if (!files.ContainsKey("index.html")) throw new InvalidOperationException("the web page's files are not embedded in Workbench.dll (Export/Web/*)");
        return files;
    }

    /// <summary>onnxruntime-web's dist folder in tools/npm, found above the program's or the working directory.</summary>
    public static string FindRuntime()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "tools", "npm", "node_modules", "onnxruntime-web", "dist");
                if (File.Exists(Path.Combine(candidate, RuntimeFiles[0]))) return candidate;
            }
        throw new FileNotFoundException("onnxruntime-web was not found in tools/npm/node_modules; run ./run.sh setup (it installs tools/npm with npm ci --ignore-scripts)");
    }

    /// <summary>Writes the folder; returns its files. A non-empty folder that is not an earlier export is refused.</summary>
    public static IReadOnlyList<WebExportFile> Export(string outDir, WebExportOptions options)
    {
        if (options.Colorizer is null && options.Upscaler is null) throw new ArgumentException("nothing to export: no colorizer and no upscaler");
        if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !File.Exists(Path.Combine(outDir, "models", "models.json")))
            throw new IOException($"'{outDir}' is not empty and is not a folder written by `workbench export web`; choose a new or empty folder");
        foreach (var file in RuntimeFiles)
            if (!File.Exists(Path.Combine(options.RuntimeDir, file))) throw new FileNotFoundException($"onnxruntime-web's {file} is missing from '{options.RuntimeDir}'");
        Directory.CreateDirectory(Path.Combine(outDir, "models"));
        Directory.CreateDirectory(Path.Combine(outDir, "ort"));
        var manifest = new JsonObject { ["float16Weights"] = options.Float16 };
        if (options.Colorizer is { } colorizer) manifest["colorizer"] = ExportColorizer(colorizer, Path.Combine(outDir, "models", "colorizer.onnx"), options.Float16);
        if (options.Upscaler is { } upscaler) manifest["upscaler"] = ExportUpscaler(upscaler, Path.Combine(outDir, "models", "upscaler.onnx"), options.Float16);
        foreach (var stale in new[] { "colorizer.onnx", "upscaler.onnx" }.Where(f => manifest[Path.GetFileNameWithoutExtension(f)] is null))
            File.Delete(Path.Combine(outDir, "models", stale));
        File.WriteAllText(Path.Combine(outDir, "models", "models.json"), manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        foreach (var file in RuntimeFiles) File.Copy(Path.Combine(options.RuntimeDir, file), Path.Combine(outDir, "ort", file), overwrite: true);
        foreach (var (name, bytes) in PageFiles()) File.WriteAllBytes(Path.Combine(outDir, name), bytes);
        return Directory.EnumerateFiles(outDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(f => new WebExportFile(Path.GetRelativePath(outDir, f), new FileInfo(f).Length)).ToList();
    }

    /// <summary>
    /// The colorizer as ONNX (gray RGB in, RGB out, as `export onnx`) and how Colorizer runs it: padded to a multiple
    /// of its stride (32), at least minSide. Published Zhang and DeOldify colorizers run their own upstream
    /// pipelines in the CLI, and DeFade models restore instead, so the page, which runs Colorizer's, refuses them.
    /// </summary>
    private static JsonObject ExportColorizer(string path, string onnx, bool float16)
    {
        var (model, info) = ModelFile.Load(path);
        using var _ = model;
        if (ZhangDemoPipeline.Runs(model) || DeOldifyPipeline.Runs(model))
            throw new NotSupportedException($"'{path}' is a published {info.Architecture} colorizer, which the CLI runs through its upstream pipeline; the page runs Workbench's own colorizers (the shipped one, or one trained with `workbench train`)");
        if (info.Task == "defade") throw new NotSupportedException($"'{path}' is a DeFade model; the page colorizes (DeFade restores)");
        var result = OnnxExporter.Export(model, onnx, new long[] { 1, 3, 256, 256 }, ModelFile.Metadata(info), float16);
        return new JsonObject
        {
            ["file"] = Path.GetFileName(onnx), ["source"] = Path.GetFileName(path), ["network"] = info.Network, ["bytes"] = result.Bytes,
            ["stride"] = Models.DynamicUnet.Stride, ["minSide"] = model is ZhangColorizer ? ZhangColorNet.MinSide : 1,
            ["defaultRenderSize"] = new ColorizerOptions().RenderSize,
        };
    }

    /// <summary>The super-resolution network as ONNX and how Upscaler tiles it (its default tile and overlap).</summary>
    private static JsonObject ExportUpscaler(string path, string onnx, bool float16)
    {
        var (model, architecture, scale) = SuperResolutionModels.Load(path);
        using var _ = model;
        var result = OnnxExporter.Export(model, onnx, new long[] { 1, 3, 64, 64 }, new Dictionary<string, string> { ["arch"] = architecture, ["scale"] = scale.ToString(System.Globalization.CultureInfo.InvariantCulture) }, float16);
        var defaults = new UpscaleOptions();
        return new JsonObject
        {
            ["file"] = Path.GetFileName(onnx), ["source"] = Path.GetFileName(path), ["architecture"] = architecture, ["bytes"] = result.Bytes,
            ["scale"] = scale, ["tile"] = defaults.Tile, ["overlap"] = defaults.Overlap,
            ["inputMultiple"] = (model as ISuperResolutionNet)?.InputMultiple ?? 1,
        };
    }
}
