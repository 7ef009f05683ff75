namespace Workbench.Cli.Tests;

/// <summary><c>workbench notebook convert</c> and <c>run</c> on a Polyglot .dib, as a user runs them.</summary>
public class NotebookCommandTests
{
    private const string Dib = """
        #!meta

        {"kernelInfo":{"defaultKernelName":"csharp","items":[{"aliases":[],"name":"csharp"}]}}

        #!markdown

        # Title

        #!csharp

        #!time
        var x = 6 * 7;
        new { Answer = x }

        #!csharp

        x.Display();
        """;

    [Fact]
    public void DibConvertsToIpynbAndBack()
    {
        var dir = Directory.CreateTempSubdirectory("wb-notebook-").FullName;
        File.WriteAllText(Path.Combine(dir, "a.dib"), Dib);
        Assert.Equal(0, CliProcess.Run("notebook", "convert", Path.Combine(dir, "a.dib"), Path.Combine(dir, "a.ipynb")).ExitCode);
        Assert.Contains("\".net-csharp\"", File.ReadAllText(Path.Combine(dir, "a.ipynb")), StringComparison.Ordinal);
        Assert.Equal(0, CliProcess.Run("notebook", "convert", Path.Combine(dir, "a.ipynb"), Path.Combine(dir, "b.dib")).ExitCode);
        Assert.Equal(Dib.ReplaceLineEndings("\n") + "\n", File.ReadAllText(Path.Combine(dir, "b.dib")));
    }

    [Fact]
    public void RunWritesTheExecutedCopyWithOutputs()
    {
        var dir = Directory.CreateTempSubdirectory("wb-notebook-").FullName;
        File.WriteAllText(Path.Combine(dir, "a.dib"), Dib);
        var r = CliProcess.Run("notebook", "run", Path.Combine(dir, "a.dib"));
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        var executed = File.ReadAllText(Path.Combine(dir, "a.executed.ipynb"));
        Assert.Contains("Wall time:", executed, StringComparison.Ordinal);
        Assert.Contains("<td>Answer</td>", executed, StringComparison.Ordinal);
        Assert.Contains("\"display_data\"", executed, StringComparison.Ordinal);
    }

    [Fact]
    public void AFailingCellFailsTheRun()
    {
        var dir = Directory.CreateTempSubdirectory("wb-notebook-").FullName;
        File.WriteAllText(Path.Combine(dir, "bad.dib"), "#!csharp\n\nthrow new InvalidOperationException(\"nope\");\n");
        var r = CliProcess.Run("notebook", "run", Path.Combine(dir, "bad.dib"));
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("InvalidOperationException: nope", r.Stdout, StringComparison.Ordinal);
    }
}
