using Workbench.Testing;

namespace Workbench.Kernel.Tests;

/// <summary>Jupyter's own conformance suite (jupyter_kernel_test) against the installed kernelspec.</summary>
public class KernelConformanceTests
{
    [Fact]
    public void JupyterKernelTestSuitePasses()
    {
        var reference = Path.Combine(PythonReference.RepoRoot, "tests", "reference");
        var (exitCode, output) = JupyterEnvironment.RunPython(reference, TimeSpan.FromMinutes(5), "-m", "unittest", "-v", "kernel_conformance");
        Assert.True(exitCode == 0, output);
        Assert.Contains("test_execute_result", output);
        Assert.Matches(@"Ran \d+ tests", output);
        Assert.DoesNotContain("FAIL", output);
    }
}
