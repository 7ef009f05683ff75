using System.Diagnostics;

using Workbench.Testing;

namespace Workbench.Tests.Architecture;

/// <summary>The folders of src/Workbench form layers: tests/architecture/folder_graph.py finds no cycle between them.</summary>
public sealed class FolderDependencyTests
{
    [Fact]
    public void NoFolderOfSrcWorkbenchDependsOnItselfThroughAnother()
    {
        var (exitCode, output, errors) = RunGraph();
        Assert.True(exitCode == 0, $"folder_graph.py exited {exitCode}:\n{errors}\n{output}");
        // The bottom and top of the layering as docs/architecture.md draws them.
        Assert.Contains("Models -> Data", output);
        Assert.DoesNotContain("Data ->", output);
        Assert.Contains("Recipes -> ", output);
        Assert.DoesNotMatch(@"(?m)^(Data|Models|Training|Inference) -> .*\bRecipes\b", output);
    }

    private static (int ExitCode, string Output, string Errors) RunGraph()
    {
        var psi = new ProcessStartInfo(PythonReference.Python) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(PythonReference.RepoRoot, "tests", "architecture", "folder_graph.py"));
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + PythonReference.Python);
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors);
    }
}
