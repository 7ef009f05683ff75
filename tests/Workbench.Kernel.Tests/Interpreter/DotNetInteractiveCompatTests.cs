using System.Runtime.InteropServices;

using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Tests.Interpreter;

/// <summary>
/// Cells as notebooks written for .NET Interactive have them: nuget lines, Display()/Update(), HTML(), magics.
/// The nuget tests restore through the machine's configured NuGet sources (a fresh cache folder per test class).
/// </summary>
[Collection(InterpreterCollection.Name)]
public sealed class DotNetInteractiveCompatTests : IDisposable
{
    private static readonly string Cache = Directory.CreateTempSubdirectory("wb-nuget-cache").FullName;
    private readonly RoslynInterpreter interpreter = new(packages: new PackageManager(new RestoreProject(Cache, RuntimeInformation.RuntimeIdentifier)));
    private int count;

    public void Dispose() => this.interpreter.Dispose();

    private ExecutionOutcome Run(string code, RecordingSink? sink = null) => this.interpreter.Execute(code, ++this.count, sink ?? new RecordingSink());

    private object? Value(string code, RecordingSink? sink = null)
    {
        var outcome = Run(code, sink);
        Assert.True(outcome.Succeeded, outcome.Error is { } e ? string.Join("\n", e.Traceback) : "");
        return outcome.Value;
    }

    [Fact]
    public void NuGetPackageIsRestoredAndUsable()
    {
        var sink = new RecordingSink();
        Value("#r \"nuget: Humanizer.Core, 2.14.1\"", sink);
        var installed = sink.Displays[^1].Bundle["text/plain"];
        Assert.Contains("Installed Packages: Humanizer.Core, 2.14.1", installed, StringComparison.Ordinal);
        Assert.Equal("Pascal case input", Value("using Humanizer;\n\"PascalCaseInput\".Humanize()"));
        // Asked again (same or no version): nothing to restore.
        Assert.Equal(3, Value("#r \"nuget: Humanizer.Core\"\n1 + 2"));
    }

    [Fact]
    public void ASecondSessionReadsTheRestoreFromTheCache()
    {
        Value("#r \"nuget: Humanizer.Core, 2.14.1\"");
        using var second = new RoslynInterpreter(packages: new PackageManager(new RestoreProject(Cache, RuntimeInformation.RuntimeIdentifier)));
        var sink = new RecordingSink();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Assert.True(second.Execute("#r \"nuget: Humanizer.Core, 2.14.1\"", 1, sink).Succeeded);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cached restore took {clock.Elapsed}");
        Assert.DoesNotContain("restored in", Assert.Single(sink.Displays).Bundle["text/plain"], StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownPackageIsAClearError()
    {
        // Twice: a failed restore must not be taken from the cache as a success the second time.
        for (var attempt = 0; attempt < 2; attempt++)
        {
            var outcome = Run("#r \"nuget: Workbench.No.Such.Package.Anywhere\"");
            Assert.Equal("PackageRestoreError", outcome.Error?.Name);
            Assert.Contains("NU1101", outcome.Error!.Value, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void AnotherVersionOfALoadedPackageIsRefused()
    {
        Value("#r \"nuget: Humanizer.Core, 2.14.1\"");
        var outcome = Run("#r \"nuget: Humanizer.Core, 2.8.26\"");
        Assert.Contains("cannot be added because version 2.14.1 was added previously", outcome.Error?.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void KernelsOwnPlotlyNetIsReusedAndChartsRenderInline()
    {
        var sink = new RecordingSink();
        Value("#r \"nuget: Plotly.NET, 6.0.0\"\n#r \"nuget: Plotly.NET.Interactive, 6.0.0\"\n#r \"nuget: Plotly.NET.CSharp, 0.14.0\"", sink);
        var text = sink.Displays[^1].Bundle["text/plain"];
        Assert.Contains("Plotly.NET.Interactive is a .NET Interactive extension", text, StringComparison.Ordinal);
        Assert.Contains("Plotly.NET 6.0.0: the kernel's own Plotly.NET (6.0.0) is used", text, StringComparison.Ordinal);
        var chart = Value("using Plotly.NET.CSharp;\nChart.Point<double, double, string>(x: new[] { 1.0, 2.0 }, y: new[] { 3.0, 4.0 })");
        var bundle = Workbench.Display.Formatter.ToMimeBundle(chart);
        Assert.Contains("Plotly.newPlot", bundle["text/html"], StringComparison.Ordinal);
        Assert.DoesNotContain("<script src=", bundle["text/html"], StringComparison.Ordinal); // plotly.js inlined, no CDN
        Assert.Contains("\"scatter\"", bundle["application/vnd.plotly.v1+json"], StringComparison.Ordinal);
    }

    [Fact]
    public void DisplayExtensionReturnsAnUpdatableHandle()
    {
        var sink = new RecordingSink();
        Value("var d = 0.Display();\nfor (var i = 1; i <= 3; i++) d.Update(i);", sink);
        Assert.Equal(4, sink.Displays.Count);
        Assert.Equal("3", sink.Displays[^1].Bundle["text/plain"]);
        Assert.All(sink.Displays.Skip(1), d => Assert.True(d.Update));
        Assert.Single(sink.Displays.Select(d => d.Id).Distinct());
    }

    [Fact]
    public void DisplayAsAndHtmlShowTextAsTheGivenType()
    {
        var sink = new RecordingSink();
        Value("\"<b>bold</b>\".DisplayAs(\"text/html\"); display(HTML(\"<i>x</i>\")); new { A = 1 }.Display(\"text/html\");", sink);
        Assert.Equal("<b>bold</b>", sink.Displays[0].Bundle["text/html"]);
        Assert.Equal("<i>x</i>", sink.Displays[1].Bundle["text/html"]);
        Assert.Equal(new[] { "text/html" }, sink.Displays[2].Bundle.Keys);
        Assert.Contains("<table>", sink.Displays[2].Bundle["text/html"], StringComparison.Ordinal);
    }

    [Fact]
    public void TimeMagicPrintsTheWallTime()
    {
        var sink = new RecordingSink();
        Assert.Equal(2, Value("#!time\n1 + 1", sink));
        Assert.Matches(@"^Wall time: [0-9.]+ms\n$", sink.Stdout);
    }

    [Fact]
    public void InformationalMagicsDisplaySomething()
    {
        var sink = new RecordingSink();
        Value("var answer = 42;");
        Value("#!lsmagic\n#!about\n#!whos", sink);
        Assert.Contains("#!time", sink.Displays[0].Bundle["text/html"], StringComparison.Ordinal);
        Assert.Contains("Workbench C# kernel", sink.Displays[1].Bundle["text/plain"], StringComparison.Ordinal);
        Assert.Contains("answer", sink.Displays[2].Bundle["text/plain"], StringComparison.Ordinal);
    }

    [Fact]
    public void MarkdownAndValueMagicsWork()
    {
        var sink = new RecordingSink();
        Value("#!markdown\n# Title", sink);
        Assert.Equal("# Title", sink.Displays[0].Bundle["text/markdown"]);
        Value("#!value --name csv\na,b\n1,2");
        Assert.Equal("a,b\n1,2", Value("csv"));
    }

    [Fact]
    public void AnUnknownMagicIsAClearError()
    {
        var outcome = Run("#!nonsense\n1");
        Assert.Equal("UnknownMagicCommand", outcome.Error?.Name);
        Assert.Contains("Unrecognized magic command '#!nonsense'", outcome.Error!.Value, StringComparison.Ordinal);
        Assert.Contains("C# only", Run("#!fsharp\nlet x = 1").Error?.Value, StringComparison.Ordinal);
    }

    [Fact]
    public void CompileErrorsAfterDirectivesKeepTheCellsLineNumbers()
    {
        var outcome = Run("#!time\n#r \"nuget: Humanizer.Core, 2.14.1\"\nvar x = ;");
        Assert.Contains("(3,", string.Join("\n", outcome.Error!.Traceback), StringComparison.Ordinal);
    }

    [Fact]
    public void DotNetInteractiveUsingsCompileAndFormatterRegisterWorks()
    {
        var sink = new RecordingSink();
        try
        {
            Value("using Microsoft.DotNet.Interactive;\nusing Microsoft.DotNet.Interactive.Formatting;\nusing static Microsoft.DotNet.Interactive.Kernel;\n"
                + "public record Point(int X, int Y);\n"
                + "Formatter.Register<Point>((p, writer) => writer.Write($\"<b>({p.X}, {p.Y})</b>\"), \"text/html\");\n"
                + "display(new Point(1, 2));", sink);
            Assert.Equal("<b>(1, 2)</b>", sink.Displays[0].Bundle["text/html"]);
            Assert.Equal("Point { X = 1, Y = 2 }", sink.Displays[0].Bundle["text/plain"]);
        }
        finally
        {
            Workbench.Display.Formatter.ResetToDefault();
        }
    }
}
