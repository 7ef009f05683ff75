using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace Workbench.Kernel.Packages;

/// <summary>
/// Restores a set of packages the way .NET Interactive does: a generated project with one PackageReference per
/// request, restored by <c>dotnet restore</c> through the NuGet sources configured on the machine (NuGet.Config,
/// plus any <c>#i</c> sources). Each distinct request set gets its own folder under the cache; a set restored
/// before is read back without running restore again.
/// </summary>
public sealed class RestoreProject
{
    public const string TargetFramework = "net10.0";
    private const string AssetsRelative = "obj/project.assets.json";
    // Written after a restore succeeded: a failed restore leaves an assets file too (with its errors in "logs").
    private const string DoneMarker = "restored.ok";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public RestoreProject(string cacheRoot, string runtimeIdentifier)
    {
        CacheRoot = cacheRoot;
        RuntimeIdentifier = runtimeIdentifier;
    }

    /// <summary>$WORKBENCH_NUGET_CACHE, else $XDG_CACHE_HOME/workbench/nuget-restore, else ~/.cache/workbench/nuget-restore.</summary>
    public static string DefaultCacheRoot =>
        Environment.GetEnvironmentVariable("WORKBENCH_NUGET_CACHE") is { Length: > 0 } dir ? dir
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "workbench", "nuget-restore");

    public string CacheRoot { get; }

    public string RuntimeIdentifier { get; }

    /// <summary>The project text for <paramref name="packages"/> and extra <paramref name="sources"/>.</summary>
    public string ProjectText(IReadOnlyList<PackageRequest> packages, IReadOnlyList<string> sources)
    {
        var sb = new StringBuilder();
        sb.Append("<Project Sdk=\"Microsoft.NET.Sdk\">\n  <PropertyGroup>\n")
          .Append("    <TargetFramework>").Append(TargetFramework).Append("</TargetFramework>\n")
          .Append("    <RuntimeIdentifier>").Append(RuntimeIdentifier).Append("</RuntimeIdentifier>\n")
          .Append("    <SelfContained>false</SelfContained>\n    <UseAppHost>false</UseAppHost>\n");
        if (sources.Count > 0)
            sb.Append("    <RestoreAdditionalProjectSources>").Append(Escape(string.Join(';', sources))).Append("</RestoreAdditionalProjectSources>\n");
        sb.Append("  </PropertyGroup>\n  <ItemGroup>\n");
        foreach (var p in packages)
            sb.Append("    <PackageReference Include=\"").Append(Escape(p.Name)).Append("\" Version=\"").Append(Escape(p.VersionOrLatest)).Append("\" />\n");
        sb.Append("  </ItemGroup>\n</Project>\n");
        return sb.ToString();
    }

    /// <summary>True when this request set was restored before (its assets file is in the cache).</summary>
    public bool IsCached(IReadOnlyList<PackageRequest> packages, IReadOnlyList<string> sources) =>
        File.Exists(Path.Combine(FolderFor(ProjectText(packages, sources)), DoneMarker));

    /// <summary>Restores (or reuses a cached restore) and returns the resolved packages.</summary>
    public IReadOnlyList<ResolvedPackage> Restore(IReadOnlyList<PackageRequest> packages, IReadOnlyList<string> sources)
    {
        var text = ProjectText(packages, sources);
        var dir = FolderFor(text);
        var assets = Path.Combine(dir, AssetsRelative);
        if (!File.Exists(Path.Combine(dir, DoneMarker)))
        {
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "restore.csproj"), text);
            RunRestore(dir);
            File.WriteAllText(Path.Combine(dir, DoneMarker), "");
        }
        return AssetsFile.Read(assets, TargetFramework, RuntimeIdentifier);
    }

    private string FolderFor(string projectText) =>
        Path.Combine(CacheRoot, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(projectText)))[..16]);

    private static void RunRestore(string dir)
    {
        var start = new ProcessStartInfo(KernelSpecInstaller.DotnetHost())
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // The repository's Directory.Build.props must not leak in (the cache may sit below a checkout).
        foreach (var arg in new[] { "restore", "restore.csproj", "-nologo", "--disable-build-servers", "-p:ImportDirectoryBuildProps=false", "-p:ImportDirectoryBuildTargets=false", "-p:ImportDirectoryPackagesProps=false" })
            start.ArgumentList.Add(arg);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start) ?? throw new PackageRestoreException("could not start 'dotnet restore'", Array.Empty<string>());
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        try
        {
            // Polled rather than one wait, so that an interrupt stops a restore that hangs on an unreachable feed.
            while (!process.WaitForExit(200))
            {
                if (clock.Elapsed > Timeout) throw new PackageRestoreException($"'dotnet restore' did not finish in {Timeout.TotalMinutes:0} minutes", Array.Empty<string>());
                Interruption.ThrowIfRequested();
            }
        }
        catch (Exception)
        {
            try { process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
            throw;
        }
        process.WaitForExit();
        var output = stdout.GetAwaiter().GetResult() + stderr.GetAwaiter().GetResult();
        if (process.ExitCode != 0)
        {
            var errors = RestoreErrors(output);
            throw new PackageRestoreException(errors.Count > 0 ? string.Join("\n", errors) : $"'dotnet restore' failed (exit code {process.ExitCode})", output.Split('\n'));
        }
    }

    /// <summary>"error NU1101: Unable to find package X..." lines of restore's output, without the project path.</summary>
    internal static List<string> RestoreErrors(string output)
    {
        var errors = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            var at = line.IndexOf("error ", StringComparison.Ordinal);
            if (at < 0) continue;
            line = line[at..];
            var bracket = line.LastIndexOf(" [", StringComparison.Ordinal);
            if (bracket > 0 && line.EndsWith(']')) line = line[..bracket];
            if (!errors.Contains(line)) errors.Add(line);
        }
        return errors;
    }

    private static string Escape(string s) => System.Security.SecurityElement.Escape(s);
}

/// <summary>A package or version that cannot be had: the restore's errors (NU1101 unknown package, NU1102 no such version ...).</summary>
public sealed class PackageRestoreException(string message, IReadOnlyList<string> log) : Exception(message)
{
    public IReadOnlyList<string> Log { get; } = log;
}
