using System.Diagnostics;

namespace Workbench.Plotting;

/// <summary>
/// Headless Debian Chromium, used to render figures: a fresh profile directory each run, no network
/// services, no sandbox (it runs as root in containers). Everything it loads is a local file.
/// </summary>
public static class Chromium
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <summary>The chromium executable ($WORKBENCH_CHROMIUM, else chromium or chromium-browser on PATH), or null.</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("WORKBENCH_CHROMIUM") is { Length: > 0 } env && File.Exists(env)) return env;
        var path = Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin";
        foreach (var dir in path.Split(Path.PathSeparator).Append("/usr/bin"))
            foreach (var name in new[] { "chromium", "chromium-browser" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate)) return candidate;
            }
        return null;
    }

    public static bool IsAvailable => Find() is not null;

    /// <summary>Renders <paramref name="html"/> at <paramref name="width"/> x <paramref name="height"/> and returns the PNG.</summary>
    public static byte[] Screenshot(string html, int width, int height)
    {
        using var work = new TempDir();
        var page = Path.Combine(work.Path, "page.html");
        var png = Path.Combine(work.Path, "shot.png");
        File.WriteAllText(page, html);
        Run(work.Path, $"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", page);
        if (!File.Exists(png)) throw new InvalidOperationException("chromium finished without writing the screenshot");
        return File.ReadAllBytes(png);
    }

    /// <summary>The DOM after scripts ran (plotly draws SVG synchronously on load), as HTML text.</summary>
    public static string DumpDom(string html)
    {
        using var work = new TempDir();
        var page = Path.Combine(work.Path, "page.html");
        File.WriteAllText(page, html);
        return Run(work.Path, "--dump-dom", page);
    }

    private static string Run(string workDir, params string[] args)
    {
        var exe = Find() ?? throw new InvalidOperationException("chromium is not installed (Debian package `chromium`; ./run.sh setup installs it)");
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-dev-shm-usage", $"--user-data-dir={Path.Combine(workDir, "profile")}",
            // Gives page scripts (plotly's first draw) virtual time to finish before the capture.
            "--virtual-time-budget=5000",
        }) psi.ArgumentList.Add(flag);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + exe);
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEndAsync();
        if (!p.WaitForExit(Timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not finish within {Timeout.TotalSeconds} s");
        }
        if (p.ExitCode != 0) throw new InvalidOperationException($"chromium failed ({p.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }

    private sealed class TempDir : IDisposable
    {
        public TempDir() => Directory.CreateDirectory(Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "workbench-chromium-" + Guid.NewGuid().ToString("N")));

        public string Path { get; }

        public void Dispose()
        {
            try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
