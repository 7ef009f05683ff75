using System.Diagnostics;

using Workbench.Testing;

namespace Workbench.Kernel.Tests;

/// <summary>
/// The kernelspec installed into a temporary prefix (once per test process) and an environment that points
/// Debian's Jupyter (/usr/bin/python3) at it through JUPYTER_PATH, so nothing is written to the user's Jupyter.
/// </summary>
internal static class JupyterEnvironment
{
    private static readonly Lazy<string> Prefix = new(() =>
    {
        var prefix = Directory.CreateTempSubdirectory("wb-kernelspec").FullName;
        KernelSpecInstaller.Install(prefix);
        return prefix;
    });

    public static string KernelsPath => Path.Combine(Prefix.Value, "share", "jupyter");

    /// <summary>Runs /usr/bin/python3 with <paramref name="args"/> in <paramref name="workDir"/>; returns exit code and output.</summary>
    public static (int ExitCode, string Output) RunPython(string workDir, TimeSpan timeout, params string[] args)
    {
        var psi = new ProcessStartInfo(PythonReference.Python) { WorkingDirectory = workDir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["JUPYTER_PATH"] = KernelsPath;
        psi.Environment["JUPYTER_RUNTIME_DIR"] = Path.Combine(Prefix.Value, "runtime");
        psi.Environment["JUPYTER_PLATFORM_DIRS"] = "1"; // silences jupyter_core's migration warning
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + PythonReference.Python);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"python {string.Join(' ', args)} did not finish within {timeout}:\n{stdout.Result}\n{stderr.Result}");
        }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
