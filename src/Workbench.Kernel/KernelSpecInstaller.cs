using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Kernel;

/// <summary>
/// Writes the Jupyter kernelspec <c>workbench-csharp</c> ("C# (Workbench)"): a kernel.json whose argv runs
/// this kernel's dll with the dotnet host. Used by <c>workbench-kernel install</c> and the <c>workbench</c> CLI.
/// With <c>asDotNetInteractive</c> the same kernel is installed under .NET Interactive's name <c>.net-csharp</c>, so
/// notebooks written for Polyglot Notebooks open with it unedited.
/// </summary>
public static class KernelSpecInstaller
{
    public const string Name = "workbench-csharp";
    public const string DisplayName = "C# (Workbench)";
    public const string DotNetInteractiveName = ".net-csharp";
    public const string DotNetInteractiveDisplayName = ".NET (C#) - Workbench";

    /// <summary>The kernelspec name: <see cref="Name"/>, or .NET Interactive's <see cref="DotNetInteractiveName"/>.</summary>
    public static string SpecName(bool asDotNetInteractive) => asDotNetInteractive ? DotNetInteractiveName : Name;

    public static string SpecDisplayName(bool asDotNetInteractive) => asDotNetInteractive ? DotNetInteractiveDisplayName : DisplayName;

    /// <summary>The kernel dll next to this assembly (absolute).</summary>
    public static string KernelDll => Path.GetFullPath(typeof(KernelSpecInstaller).Assembly.Location);

    /// <summary>Jupyter's per-user kernels folder ($JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels).</summary>
    public static string UserKernelsDirectory =>
        Path.Combine(Environment.GetEnvironmentVariable("JUPYTER_DATA_DIR") is { Length: > 0 } data
            ? data
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "jupyter"), "kernels");

    /// <summary>The kernels folder under an installation prefix: PREFIX/share/jupyter/kernels.</summary>
    public static string PrefixKernelsDirectory(string prefix) => Path.Combine(Path.GetFullPath(prefix), "share", "jupyter", "kernels");

    /// <summary>The kernel.json content: dotnet &lt;abs path&gt;/workbench-kernel.dll -f {connection_file}.</summary>
    public static JsonObject KernelJson(string? kernelDll = null, string? dotnet = null, bool asDotNetInteractive = false) => new()
    {
        ["argv"] = new JsonArray(dotnet ?? DotnetHost(), Path.GetFullPath(kernelDll ?? KernelDll), "-f", "{connection_file}"),
        ["display_name"] = SpecDisplayName(asDotNetInteractive),
        ["language"] = "csharp",
        ["interrupt_mode"] = "message",
        ["metadata"] = new JsonObject { ["debugger"] = false },
    };

    /// <summary>
    /// Installs the kernelspec into <paramref name="prefix"/>/share/jupyter/kernels when given, else into the
    /// user's Jupyter data folder. Returns the folder written (it holds kernel.json).
    /// </summary>
    public static string Install(string? prefix = null, string? kernelDll = null, bool asDotNetInteractive = false)
    {
        var root = prefix is null ? UserKernelsDirectory : PrefixKernelsDirectory(prefix);
        var dir = Path.Combine(root, SpecName(asDotNetInteractive));
        Directory.CreateDirectory(dir);
        var json = KernelJson(kernelDll, asDotNetInteractive: asDotNetInteractive).ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        File.WriteAllText(Path.Combine(dir, "kernel.json"), json + "\n");
        return dir;
    }

    /// <summary>The dotnet host running us (absolute, so Jupyter needs no PATH), else plain "dotnet".</summary>
    internal static string DotnetHost()
    {
        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet") return process;
        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (root is not null && File.Exists(Path.Combine(root, "dotnet"))) return Path.Combine(root, "dotnet");
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            if (File.Exists(Path.Combine(dir, "dotnet"))) return Path.GetFullPath(Path.Combine(dir, "dotnet"));
        return "dotnet";
    }
}
