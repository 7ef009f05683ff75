using System.Net.Http;
using System.Text.Json;

namespace Workbench.Cli.Tests;

/// <summary>`workbench export web` without a browser: what it writes, what it refuses, and how --serve answers.</summary>
public sealed class ExportWebCommandTests
{
    [Fact]
    public void ATrainedColorizerReplacesTheShippedOneAndTheUpscalerCanBeLeftOut()
    {
        using var dir = new CliTestFiles.TempDir();
        var site = Path.Combine(dir.Path, "site");
        var result = CliProcess.Run("export", "web", site, "--model", CliTestFiles.TinyColorizer(dir.Path), "--no-upscaler", "--fp16");
        Assert.True(result.ExitCode == 0, result.Stderr);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(site, "models", "models.json"))).RootElement;
        Assert.Equal("DynamicUnet", manifest.GetProperty("colorizer").GetProperty("network").GetString());
        Assert.True(manifest.GetProperty("float16Weights").GetBoolean());
        Assert.False(manifest.TryGetProperty("upscaler", out _));
        Assert.False(File.Exists(Path.Combine(site, "models", "upscaler.onnx")));
        foreach (var file in new[] { "index.html", "app.js", "pipeline.js", "imaging.js", "style.css", "ort/ort.wasm.min.mjs", "ort/ort-wasm-simd-threaded.wasm" })
            Assert.True(File.Exists(Path.Combine(site, file)), $"{file} was not written");
        // No address of another origin anywhere in the page's own files.
        foreach (var file in new[] { "index.html", "app.js", "pipeline.js", "imaging.js", "style.css" })
            Assert.DoesNotContain("http", File.ReadAllText(Path.Combine(site, file)));
    }

    [Fact]
    public void AForeignFolderAndAnEmptyExportAreRefused()
    {
        using var dir = new CliTestFiles.TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "notes.txt"), "mine");
        var foreign = CliProcess.Run("export", "web", dir.Path, "--no-colorizer");
        Assert.NotEqual(0, foreign.ExitCode);
        Assert.Contains("not a folder written by `workbench export web`", foreign.Stderr);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dir.Path, "notes.txt")));
        var nothing = CliProcess.Run("export", "web", Path.Combine(dir.Path, "site"), "--no-colorizer", "--no-upscaler");
        Assert.NotEqual(0, nothing.ExitCode);
        Assert.Contains("leave nothing to export", nothing.Stderr);
    }

    [Fact]
    public async Task ServeSendsIsolationHeadersAndTheTypesBrowsersNeed()
    {
        using var dir = new CliTestFiles.TempDir();
        using var served = ServedExport.Start(Path.Combine(dir.Path, "site"), "--no-colorizer");
        using var http = new HttpClient();
        foreach (var (path, type) in new[]
                 {
                     ("", "text/html"), ("app.js", "text/javascript"), ("ort/ort.wasm.min.mjs", "text/javascript"),
                     ("ort/ort-wasm-simd-threaded.wasm", "application/wasm"), ("models/upscaler.onnx", "application/octet-stream"),
                     ("models/models.json", "application/json"), ("style.css", "text/css"),
                 })
        {
            using var response = await http.GetAsync(served.Url + path);
            Assert.True(response.IsSuccessStatusCode, $"{path}: {response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("same-origin", response.Headers.GetValues("Cross-Origin-Opener-Policy").Single());
            Assert.Equal("require-corp", response.Headers.GetValues("Cross-Origin-Embedder-Policy").Single());
        }
        using var missing = await http.GetAsync(served.Url + "nothing.js");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        using var outside = await http.GetAsync(served.Url + "..%2F..%2Fetc%2Fpasswd");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, outside.StatusCode);
    }
}
