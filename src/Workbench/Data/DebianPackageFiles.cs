using System.Diagnostics;

namespace Workbench.Data;

/// <summary>
/// Files that Debian packages ship, whether or not the package is installed: an installed file is used where it
/// is; otherwise the package is fetched with <c>apt-get download</c> (Debian's own mirror, no install, no root
/// needed for the files) and unpacked with <c>dpkg -x</c> into a cache folder, once.
/// </summary>
public sealed class DebianPackageFiles(string cacheDir, Action<string>? log = null)
{
    private readonly Dictionary<string, string?> unpacked = new();
    private readonly Dictionary<string, QtResourceFile> bundles = new();

    /// <summary>The path of <paramref name="absolutePath"/> as <paramref name="package"/> ships it, or null when the package cannot be had.</summary>
    public string? Locate(string package, string absolutePath)
    {
        if (File.Exists(absolutePath)) return absolutePath;
        var root = Unpack(package);
        if (root is null) return null;
        var inCache = Path.Combine(root, absolutePath.TrimStart('/'));
        return File.Exists(inCache) ? inCache : null;
    }

    /// <summary>
    /// The content of <paramref name="path"/> as <paramref name="package"/> ships it, or null when the package or the
    /// file cannot be had. <c>/…/bundle.rcc:/folder/file</c> names a file inside a Qt resource bundle the package ships
    /// (Qt writes resource paths as <c>:/folder/file</c>).
    /// </summary>
    public byte[]? ReadAllBytes(string package, string path)
    {
        var bundleEnd = path.IndexOf(".rcc:/", StringComparison.Ordinal);
        if (bundleEnd < 0) return Locate(package, path) is { } file ? File.ReadAllBytes(file) : null;
        if (Locate(package, path[..(bundleEnd + 4)]) is not { } bundlePath) return null;
        if (!bundles.TryGetValue(bundlePath, out var bundle)) bundles[bundlePath] = bundle = QtResourceFile.Open(bundlePath);
        var resource = path[(bundleEnd + 5)..];
        return bundle.Contains(resource) ? bundle.Read(resource) : null;
    }

    /// <summary>The folder holding the unpacked package (its files under their absolute paths), or null if it could not be fetched.</summary>
    public string? Unpack(string package)
    {
        if (unpacked.TryGetValue(package, out var known)) return known;
        var root = Path.GetFullPath(Path.Combine(cacheDir, package));
        if (!Directory.Exists(root))
        {
            var downloads = Path.Combine(cacheDir, "debs");
            Directory.CreateDirectory(downloads);
            log?.Invoke($"fetching {package} (apt-get download; not installed)");
            var deb = Directory.EnumerateFiles(downloads, $"{package}_*.deb").FirstOrDefault();
            if (deb is null && Run("apt-get", downloads, "download", package) is { } error)
            {
                log?.Invoke($"  {package}: {error}");
                return unpacked[package] = null;
            }
            deb ??= Directory.EnumerateFiles(downloads, $"{package}_*.deb").FirstOrDefault();
            if (deb is null) return unpacked[package] = null;
            var temporary = root + ".tmp";
            if (Directory.Exists(temporary)) Directory.Delete(temporary, recursive: true);
            if (Run("dpkg", downloads, "-x", deb, temporary) is { } unpackError)
                throw new IOException($"dpkg -x {deb} failed: {unpackError}");
            Directory.Move(temporary, root);
        }
        return unpacked[package] = root;
    }

    /// <summary>Runs a command; null on success, else its error output.</summary>
    private static string? Run(string program, string workingDir, params string[] args)
    {
        var info = new ProcessStartInfo(program) { WorkingDirectory = workingDir, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(info)!;
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {stderr.Result.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{program} not found ({e.Message})";
        }
    }
}
