using System.Diagnostics;
using System.Text.Json;

using Workbench.Data;
using Workbench.Metrics;
using Workbench.Testing;
using Workbench.Torch;

using Xunit.Abstractions;

namespace Workbench.Cli.Tests;

/// <summary>
/// `workbench export web --serve` in a real browser (Debian's chromium, headless, driven by tests/web/web_page_test.mjs
/// with playwright-core): photos from test_images/ go in through the page's file input, the downloads come out and
/// must match `workbench colorize` / `workbench upscale` on the same photos (PSNR ≥ 40 dB); no request may leave the
/// page's origin; an unreadable file and a photo too large get clear messages. The screenshots go to build/web-screenshots,
/// or to docs/web.png and docs/web-phone.png with WORKBENCH_UPDATE_DOCS=1 (a test run leaves the checkout clean).
/// </summary>
public sealed class WebPageTests(ITestOutputHelper output)
{
    private static string Photo(string name) => Path.Combine(PythonReference.RepoRoot, "test_images", name);

    [BrowserFact]
    public void PageResultsMatchTheCliAndNothingLeavesTheOrigin()
    {
        using var dir = new CliTestFiles.TempDir();
        var downloads = Directory.CreateDirectory(Path.Combine(dir.Path, "downloads")).FullName;
        // What the CLI makes of the same photos (the page's defaults: render size 256, the shipped models).
        var cli = new Dictionary<string, string>();
        string Cli(string key, params string[] args)
        {
            var result = CliProcess.Run(args);
            Assert.True(result.ExitCode == 0, $"workbench {string.Join(' ', args)}: {result.Stderr}");
            return cli[key] = args[2];
        }
        foreach (var name in new[] { "camera.png", "chelsea.jpg", "coffee.jpg" })
            Cli($"colorize/{name}", "colorize", Photo(name), Path.Combine(dir.Path, $"cli-colorize-{name}.png"));
        Cli("render384/coins.png", "colorize", Photo("coins.png"), Path.Combine(dir.Path, "cli-render384-coins.png"), "--render-size", "384");
        Cli("upscale/rocket.jpg", "upscale", Photo("rocket.jpg"), Path.Combine(dir.Path, "cli-upscale-rocket.png"));
        var colorized = Cli("colorize/coins.png", "colorize", Photo("coins.png"), Path.Combine(dir.Path, "cli-colorize-coins.png"));
        Cli("both/coins.png", "upscale", colorized, Path.Combine(dir.Path, "cli-both-coins.png"));

        using var served = ServedExport.Start(Path.Combine(dir.Path, "site"));
        var docs = Environment.GetEnvironmentVariable("WORKBENCH_UPDATE_DOCS") == "1"
            ? Path.Combine(PythonReference.RepoRoot, "docs")
            : Directory.CreateDirectory(Path.Combine(PythonReference.RepoRoot, "build", "web-screenshots")).FullName;
        var config = new
        {
            url = served.Url, chromium = BrowserFactAttribute.Chromium, downloads,
            runs = new object[]
            {
                new { label = "upscale", task = "upscale", renderSize = 256, photos = new[] { Photo("rocket.jpg") } },
                new { label = "render384", task = "colorize", renderSize = 384, photos = new[] { Photo("coins.png") } },
                new { label = "both", task = "both", renderSize = 256, photos = new[] { Photo("coins.png") } },
                new
                {
                    label = "colorize", task = "colorize", renderSize = 256, photos = new[] { Photo("camera.png"), Photo("chelsea.jpg"), Photo("coffee.jpg") },
                    screenshot = Path.Combine(docs, "web.png"), phoneScreenshot = Path.Combine(docs, "web-phone.png"),
                },
            },
            unreadable = Path.Combine(PythonReference.RepoRoot, "test_images", "README.md"),
            tooLarge = true,
        };
        var report = RunPageTest(dir.Path, config);

        Assert.Empty(report.GetProperty("offOrigin").EnumerateArray());
        Assert.Empty(report.GetProperty("consoleErrors").EnumerateArray());
        var compared = 0;
        foreach (var run in report.GetProperty("runs").EnumerateArray())
        {
            Assert.True(run.GetProperty("isolated").GetBoolean(), $"the page was not cross-origin isolated: {run.GetProperty("status")}");
            foreach (var photo in run.GetProperty("photos").EnumerateArray())
            {
                var name = photo.GetProperty("name").GetString()!;
                Assert.True(photo.GetProperty("state").GetString() == "done", $"{name}: {photo.GetProperty("info")}");
                var key = $"{run.GetProperty("label").GetString()}/{name}";
                var psnr = Compare(photo.GetProperty("file").GetString()!, cli[key]);
                output.WriteLine($"{key}: page vs CLI PSNR {psnr:F2} dB, page time {photo.GetProperty("ms").GetDouble() / 1000:F2} s ({run.GetProperty("status")})");
                Assert.True(psnr >= 40, $"{key}: the page's result is {psnr:F2} dB from the CLI's (< 40 dB)");
                compared++;
            }
            if (run.TryGetProperty("phoneOverflowPx", out var overflow))
                Assert.True(overflow.GetDouble() <= 0, $"on a 390 px wide screen the page scrolls sideways by {overflow} px");
        }
        Assert.Equal(cli.Count - 1, compared); // every CLI output but the intermediate colorize/coins.png
        var errors = report.GetProperty("errors").EnumerateArray().ToDictionary(e => e.GetProperty("name").GetString()!, e => e);
        Assert.Equal("error", errors["README.md"].GetProperty("state").GetString());
        Assert.Contains("not an image this browser can read", errors["README.md"].GetProperty("info").GetString());
        Assert.Equal("error", errors["huge.png"].GetProperty("state").GetString());
        Assert.Contains("20.0 MP", errors["huge.png"].GetProperty("info").GetString());
        Assert.True(File.Exists(Path.Combine(docs, "web.png")));
    }

    [BrowserFact]
    public void ATrainedUnetColorizerGivesTheCliResultInThePage()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = VividTinyColorizer(dir.Path);
        var cli = Path.Combine(dir.Path, "cli.png");
        var run = CliProcess.Run("colorize", Photo("chelsea.jpg"), cli, "--model", model, "--render-size", "320");
        Assert.True(run.ExitCode == 0, run.Stderr);
        using (var scope = torch.NewDisposeScope())
        {
            // The comparison means something only if the model colours: its chroma must be far from gray.
            var uv = ColorSpace.RgbToYuv(ImageIO.Read(cli, new ImageReadOptions { Mode = ImageMode.Rgb })).narrow(0, 1, 2);
            Assert.True(uv.abs().mean().item<float>() > 0.02f, $"the test colorizer barely colours (mean |UV| {uv.abs().mean().item<float>():F4})");
        }
        using var served = ServedExport.Start(Path.Combine(dir.Path, "site"), "--model", model, "--no-upscaler");
        var downloads = Directory.CreateDirectory(Path.Combine(dir.Path, "downloads")).FullName;
        var report = RunPageTest(dir.Path, new
        {
            url = served.Url, chromium = BrowserFactAttribute.Chromium, downloads,
            runs = new[] { new { label = "unet", task = "colorize", renderSize = 320, photos = new[] { Photo("chelsea.jpg") } } },
        });
        Assert.Empty(report.GetProperty("offOrigin").EnumerateArray());
        var photo = report.GetProperty("runs")[0].GetProperty("photos")[0];
        Assert.True(photo.GetProperty("state").GetString() == "done", photo.GetProperty("info").GetString());
        var psnr = Compare(photo.GetProperty("file").GetString()!, cli);
        output.WriteLine($"tiny U-Net, chelsea.jpg at render size 320: page vs CLI PSNR {psnr:F2} dB");
        Assert.True(psnr >= 40, $"the page's result is {psnr:F2} dB from the CLI's (< 40 dB)");
    }

    /// <summary>An untrained tiny U-Net whose conv weights are tripled, so that its output saturates into strong colours.</summary>
    private static string VividTinyColorizer(string dir)
    {
        var path = Path.Combine(dir, "vivid.safetensors");
        var spec = Models.UnetSpec.Preset("tiny");
        torch.manual_seed(3);
        using var generator = spec.Build();
        using (torch.no_grad())
            foreach (var p in generator.parameters().Where(p => p.dim() == 4)) p.mul_(3);
        Inference.ModelFile.Save(path, generator, new Inference.ModelFileInfo(nameof(Models.DynamicUnet), spec.ToJson(), "colorize"));
        return path;
    }

    /// <summary>PSNR (RGB, 8-bit range) of two images of the same size.</summary>
    private static double Compare(string page, string cli)
    {
        using var scope = torch.NewDisposeScope();
        var (a, b) = (ImageIO.Read(page, new ImageReadOptions { Mode = ImageMode.Rgb }), ImageIO.Read(cli, new ImageReadOptions { Mode = ImageMode.Rgb }));
        Assert.Equal(b.shape, a.shape);
        return Psnr.Compute(a, b).item<float>();
    }

    private static JsonElement RunPageTest(string dir, object config)
    {
        var configPath = Path.Combine(dir, "config.json");
        File.WriteAllText(configPath, JsonSerializer.Serialize(config));
        var start = new ProcessStartInfo("node") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(PythonReference.RepoRoot, "tests", "web", "web_page_test.mjs"));
        start.ArgumentList.Add(configPath);
        using var node = Process.Start(start)!;
        var stdout = node.StandardOutput.ReadToEndAsync();
        var stderr = node.StandardError.ReadToEndAsync();
        if (!node.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            node.Kill(entireProcessTree: true);
            throw new TimeoutException("the browser test did not finish within 10 minutes");
        }
        Assert.True(node.ExitCode == 0, $"web_page_test.mjs failed: {stderr.Result}");
        return JsonDocument.Parse(stdout.Result).RootElement.Clone();
    }
}

/// <summary>`workbench export web DIR --serve --port 0` running as a process; its URL read from what it prints.</summary>
internal sealed class ServedExport : IDisposable
{
    private readonly Process process;

    private ServedExport(Process process, string url) => (this.process, Url) = (process, url);

    public string Url { get; }

    public static ServedExport Start(string site, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetTempPath() };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "workbench-cli.dll"));
        foreach (var a in new[] { "export", "web", site, "--serve", "--port", "0" }.Concat(extra)) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        while (process.StandardOutput.ReadLine() is { } line)
        {
            var at = line.IndexOf(" at http://", StringComparison.Ordinal);
            if (line.StartsWith("serving ", StringComparison.Ordinal) && at > 0)
            {
                _ = process.StandardOutput.ReadToEndAsync(); // keep draining
                return new ServedExport(process, line[(at + 4)..].Split(' ')[0]);
            }
            if (clock.Elapsed > TimeSpan.FromMinutes(3)) break;
        }
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
        throw new InvalidOperationException($"export web --serve did not print its URL: {stderr.Result}");
    }

    public void Dispose()
    {
        if (!process.HasExited) process.Kill(entireProcessTree: true);
        process.WaitForExit();
        process.Dispose();
    }
}

/// <summary>A fact that needs Debian's chromium and tools/npm's playwright-core and onnxruntime-web; skipped, saying which is missing, without them.</summary>
internal sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        var modules = Path.Combine(PythonReference.RepoRoot, "tools", "npm", "node_modules");
        if (!File.Exists(Chromium)) Skip = $"{Chromium} is not installed (apt-get install chromium; ./run.sh setup installs it)";
        else if (!Directory.Exists(Path.Combine(modules, "playwright-core"))) Skip = "playwright-core is not installed in tools/npm (./run.sh setup)";
        else if (!Directory.Exists(Path.Combine(modules, "onnxruntime-web", "dist"))) Skip = "onnxruntime-web is not installed in tools/npm (./run.sh setup)";
    }
}
