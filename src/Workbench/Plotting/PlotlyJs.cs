namespace Workbench.Plotting;

/// <summary>
/// plotly.js, read from the npm package <c>plotly.js-dist-min</c> that <c>./run.sh setup</c> installs into
/// tools/npm/node_modules. Figures inline it so that nothing loads from a CDN.
/// </summary>
public static class PlotlyJs
{
    private const string RelativePath = "tools/npm/node_modules/plotly.js-dist-min/plotly.min.js";
    private static readonly Lazy<string> Source = new(() => File.ReadAllText(Locate()));
    private static int notebookEmbedded;

    /// <summary>The path of plotly.min.js: $WORKBENCH_PLOTLYJS, else tools/npm/... above the app or the working directory.</summary>
    public static string Locate()
    {
        if (Environment.GetEnvironmentVariable("WORKBENCH_PLOTLYJS") is { Length: > 0 } env)
            return File.Exists(env) ? env : throw new FileNotFoundException($"WORKBENCH_PLOTLYJS points to {env}, which does not exist");
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, RelativePath);
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException($"plotly.js not found ({RelativePath} above {AppContext.BaseDirectory}); run ./run.sh setup, or set WORKBENCH_PLOTLYJS");
    }

    /// <summary>plotly.js itself.</summary>
    public static string Code => Source.Value;

    /// <summary>A &lt;script&gt; element that defines window.Plotly.</summary>
    public static string ScriptTag() =>
        // `module` is shadowed so that the bundle's UMD header takes the browser branch (window.Plotly) even
        // where a page defines a CommonJS-like `module`.
        "<script type=\"text/javascript\">(function () { var module = undefined;\n" + Code + "\n})();</script>";

    /// <summary>The script tag the first time it is asked for in this process (a kernel session), then "".</summary>
    public static string NotebookLoaderOnce() =>
        Interlocked.Exchange(ref notebookEmbedded, 1) == 0 ? ScriptTag() + "\n" : "";

    /// <summary>Makes the next notebook figure embed plotly.js again (after the page lost it, for example).</summary>
    public static void ResetNotebookEmbedding() => Interlocked.Exchange(ref notebookEmbedded, 0);
}
