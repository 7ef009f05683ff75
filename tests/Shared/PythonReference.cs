using System.Diagnostics;

namespace Workbench.Testing;

/// <summary>
/// Runs a reference script from tests/reference with Debian's Python (python3-torch 1.13, the same
/// libtorch as ours) and returns the folder it wrote. Each script runs once per test process.
/// </summary>
public static class PythonReference
{
    private static readonly Dictionary<string, string> Done = new();
    private static readonly object Gate = new();

    public const string Python = "/usr/bin/python3";

    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Runs tests/reference/<paramref name="script"/> with an output folder argument and returns that folder.</summary>
    public static string Run(string script, params string[] args)
    {
        var key = script + "|" + string.Join("|", args);
        lock (Gate)
        {
            if (Done.TryGetValue(key, out var cached)) return cached;
            var output = Path.Combine(Path.GetTempPath(), "workbench-ref", Path.GetFileNameWithoutExtension(script) + "-" + Environment.ProcessId + "-" + Done.Count);
            Directory.CreateDirectory(output);
            var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(Path.Combine(RepoRoot, "tests", "reference", script));
            psi.ArgumentList.Add(output);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["OMP_NUM_THREADS"] = "1";
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + Python);
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new InvalidOperationException($"{script} failed ({p.ExitCode}):\n{stderr}\n{stdout.Result}");
            Done[key] = output;
            return output;
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Workbench.sln"))) return dir.FullName;
        throw new InvalidOperationException("cannot find the repository root (Workbench.sln) above " + AppContext.BaseDirectory);
    }
}
