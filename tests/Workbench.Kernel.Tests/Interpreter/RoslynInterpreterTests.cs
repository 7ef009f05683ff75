using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

using Workbench.Kernel.Interpreter;

namespace Workbench.Kernel.Tests.Interpreter;

/// <summary>
/// The Roslyn interpreter in-process. It takes over Console and the static interruption flag, so every test
/// that runs one is in <see cref="InterpreterCollection"/> (xunit runs a collection's tests one after another).
/// </summary>
[Collection(InterpreterCollection.Name)]
public sealed class RoslynInterpreterTests : IDisposable
{
    private readonly RoslynInterpreter interpreter = new();
    private int count;

    public void Dispose() => this.interpreter.Dispose();

    private ExecutionOutcome Run(string code, RecordingSink? sink = null) => this.interpreter.Execute(code, ++this.count, sink ?? new RecordingSink());

    private object? Value(string code)
    {
        var outcome = Run(code);
        Assert.True(outcome.Succeeded, outcome.Error is { } e ? string.Join("\n", e.Traceback) : "");
        return outcome.Value;
    }

    [Fact]
    public void StateCarriesAcrossCells()
    {
        Run("var x = 20;");
        Run("int Twice(int v) => 2 * v;");
        Run("class Box { public int V = 1; }");
        Assert.Equal(42, Value("Twice(x) + new Box().V + 1"));
    }

    [Fact]
    public void OnlyATrailingExpressionIsAResult()
    {
        Assert.Equal(2, Value("1 + 1"));
        Assert.False(Run("var y = 3;").HasValue);
        Assert.False(Run("Console.Write(\"\")").HasValue); // a void call has no value
    }

    [Fact]
    public void ConsoleOutputIsCapturedPerCell()
    {
        var first = new RecordingSink();
        var second = new RecordingSink();
        Run("Console.WriteLine(\"one\"); Console.Error.Write(\"warn\");", first);
        Run("Console.WriteLine(\"two\");", second);
        Assert.Equal("one\n", first.Stdout);
        Assert.Equal("warn", first.Stderr);
        Assert.Equal("two\n", second.Stdout);
    }

    [Fact]
    public void ConsoleReadLineAsksTheFrontEnd()
    {
        Assert.Equal("input line", Value("Console.ReadLine()"));
    }

    [Fact]
    public void CompileErrorsCarryLineNumbersRelativeToTheCell()
    {
        Run("var a = 1;\nvar b = 2;\nvar c = 3;");
        var outcome = Run("var ok = 1;\nvar bad = undefinedName + 1;");
        var error = Assert.IsType<ErrorInfo>(outcome.Error);
        Assert.Equal("CompilationError", error.Name);
        Assert.Contains("(2,11): error CS0103", error.Value);
        Assert.Contains(error.Traceback, l => l.Contains("undefinedName") && l.Contains("CS0103"));
        Assert.Contains(error.Traceback, l => l == "    var bad = undefinedName + 1;");
    }

    [Fact]
    public void CompileErrorColumnsAreThoseOfTheTextTyped()
    {
        // The loop gets an interruption check inserted; the reported column must ignore it.
        var error = Assert.IsType<ErrorInfo>(Run("while (true) { int q = \"s\"; }").Error);
        Assert.Contains("(1,24): error CS0029", error.Value);
    }

    [Fact]
    public void ExceptionsGiveAReadableTracebackWithCellLines()
    {
        var outcome = Run("int Div(int a) => 10 / a;\n\nDiv(0)");
        var error = Assert.IsType<ErrorInfo>(outcome.Error);
        Assert.Equal("DivideByZeroException", error.Name);
        Assert.Equal("Attempted to divide by zero.", error.Value);
        Assert.Contains(error.Traceback, l => l.Contains("Div(Int32 a) in cell[1], line 1"));
        Assert.Contains(error.Traceback, l => l.Contains("at cell[1], line 3"));
        Assert.DoesNotContain(error.Traceback, l => l.Contains("Microsoft.CodeAnalysis") || l.Contains("Submission#"));
    }

    [Fact]
    public void VariablesDefinedBeforeAnExceptionSurvive()
    {
        Assert.NotNull(Run("var kept = 5; throw new InvalidOperationException(\"boom\");").Error);
        Assert.Equal(5, Value("kept"));
    }

    [Theory]
    [InlineData("while (true) { }")]
    [InlineData("for (;;) ;")]
    [InlineData("do { } while (true);")]
    [InlineData("foreach (var i in Forever()) { }\nIEnumerable<int> Forever() { while (true) yield return 1; }")]
    [InlineData("void Spin() { var n = 0; while (n >= 0) n = (n + 1) % 7; }\nSpin();")]
    [InlineData("System.Threading.Thread.Sleep(600_000);")]
    public async Task InterruptStopsARunawayCellWithinTwoSecondsAndTheKernelStaysUsable(string loop)
    {
        var sink = new RecordingSink();
        var cell = Task.Run(() => Run("Console.WriteLine(\"started\");\n" + loop, sink));
        Assert.True(sink.Started.Wait(TimeSpan.FromSeconds(60)), "the cell did not start");
        await Task.Delay(100); // let it get into the loop
        this.interpreter.Interrupt();
        var stopped = await Task.WhenAny(cell, Task.Delay(TimeSpan.FromSeconds(2))) == cell;
        Assert.True(stopped, "the cell did not stop within 2 s of the interrupt");
        Assert.Equal("ExecutionInterruptedException", (await cell).Error?.Name);
        Assert.Equal(3, Value("1 + 2"));
    }

    [Fact]
    public async Task LibraryLoopsSeeTheInterruptThroughHostInterrupt()
    {
        // Enumerable.Any is compiled library code and the lambda is not rewritten (no loop in it), nothing sleeps: like
        // Trainer.Fit, it can only stop by polling HostInterrupt.Requested, which the interpreter points at the kernel's flag.
        var sink = new RecordingSink();
        var cell = Task.Run(() => Run("Console.WriteLine(\"started\");\nSystem.Linq.Enumerable.Range(0, int.MaxValue).Any(_ => Workbench.Training.HostInterrupt.Requested());", sink));
        Assert.True(sink.Started.Wait(TimeSpan.FromSeconds(60)), "the cell did not start");
        await Task.Delay(100);
        this.interpreter.Interrupt();
        Assert.True(await Task.WhenAny(cell, Task.Delay(TimeSpan.FromSeconds(2))) == cell, "the library loop did not see the interrupt within 2 s");
        Assert.False(Workbench.Training.HostInterrupt.Requested(), "the flag is reset when the cell ends");
    }

    [Fact]
    public void AnInterruptWhileIdleDoesNotLeakIntoTheNextCell()
    {
        this.interpreter.Interrupt();
        Assert.Equal(1, Value("var s = 0; for (var i = 0; i < 1000; i++) s += i % 2; s > 0 ? 1 : 0"));
    }

    [Fact]
    public void DisplayAndUpdateReachTheSink()
    {
        var sink = new RecordingSink();
        Run("var h = display(\"first\"); h.Update(\"second\"); clear_output(wait: true);", sink);
        Assert.Equal(2, sink.Displays.Count);
        Assert.Equal("first", sink.Displays[0].Bundle["text/plain"]);
        Assert.False(sink.Displays[0].Update);
        Assert.Equal("second", sink.Displays[1].Bundle["text/plain"]);
        Assert.True(sink.Displays[1].Update);
        Assert.Equal(sink.Displays[0].Id, sink.Displays[1].Id);
        Assert.Equal(1, sink.Clears);
    }

    [Fact]
    public void WorkbenchLibrariesAndUsingsArePreloaded()
    {
        Assert.Contains("Workbench.Torch", this.interpreter.Imports);
        Assert.Contains("Workbench.Display", this.interpreter.Imports);
        Assert.Equal(6f, Value("torch.ones(2, 3).sum().item<float>()"));
        Assert.IsType<Workbench.Display.Table>(Value("new Table(\"a\").AddRow(1)"));
    }

    [Fact]
    public void PlotlyNetChartsNeedNoUsingOrReference()
    {
        Assert.Contains("Plotly.NET.CSharp", this.interpreter.Imports);
        var chart = Value("Chart.Grid(new[] { Chart.Line<double, double, string>(new[] { 1.0, 2.0 }, new[] { 3.0, 4.0 }, Name: \"a\"), "
                          + "Chart.Column<double, string, string>(new[] { 5.0 }, Keys: new[] { \"k\" }) }, 2, 1)"
                          + ".WithYAxisStyle<double, double, string>(AxisType: Plotly.NET.StyleParam.AxisType.Log).WithTitle(\"t\")");
        var spec = Workbench.Plotting.PlotlyNetChart.ToJsonObject(Assert.IsAssignableFrom<Plotly.NET.GenericChart>(chart));
        Assert.Equal("t", (string?)spec["layout"]!["title"]!["text"]);
        Assert.Equal(4.0, (double)spec["data"]![0]!["y"]![1]!);
    }

    [Fact]
    public void HashRLoadsAnAssemblyFromAPath()
    {
        var dir = Directory.CreateTempSubdirectory("wb-kernel-r").FullName;
        var dll = Path.Combine(dir, "Plugin.dll");
        var compilation = CSharpCompilation.Create("Plugin",
            new[] { CSharpSyntaxTree.ParseText("namespace Plugin { public static class Greeter { public static string Hello() => \"hi from plugin\"; } }") },
            new[] { MetadataReference.CreateFromFile(typeof(object).Assembly.Location) },
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.True(compilation.Emit(dll).Success);
        Assert.Equal("hi from plugin", Value($"#r \"{dll}\"\nPlugin.Greeter.Hello()"));
    }

    [Fact]
    public void EvaluateDoesNotChangeState()
    {
        Run("var counter = 1;");
        Assert.Equal(2, this.interpreter.Evaluate("counter + 1").Value);
        Assert.Equal(1, Value("counter"));
    }

    [Theory]
    [InlineData("var x = 1;", "complete")]
    [InlineData("Console.WriteLine(1)", "complete")]
    [InlineData("for (int i = 0; i < 3; i++) {", "incomplete")]
    [InlineData("var s = \"unterminated", "incomplete")]
    [InlineData("int x = ;", "invalid")]
    public void IsCompleteUsesRoslynsSubmissionCheck(string code, string status)
    {
        Assert.Equal(status, this.interpreter.IsComplete(code).Status);
    }

    [Fact]
    public void CompletionListsMembersAfterADotAndNamesInScope()
    {
        Run("var greeting = \"abc\";");
        var members = this.interpreter.Complete("greeting.ToUp", 13);
        Assert.Contains(members.Matches, m => m.Text == "ToUpper" && m.Kind == "method");
        Assert.Equal(9, members.CursorStart);
        Assert.Contains(this.interpreter.Complete("Console.WriteL", 14).Matches, m => m.Text == "WriteLine");
        Assert.Contains(this.interpreter.Complete("gree", 4).Matches, m => m.Text == "greeting");
        Assert.Contains(this.interpreter.Complete("System.Collections.Gen", 22).Matches, m => m.Text == "Generic");
        Assert.Contains(this.interpreter.Complete("torch.zer", 9).Matches, m => m.Text == "zeros");
    }

    [Fact]
    public void InspectShowsSignaturesAndDocs()
    {
        var result = this.interpreter.Inspect("Math.Max(", 9, 0);
        Assert.True(result.Found);
        Assert.Contains("System.Math.Max(int, int)", result.Text);
        if (File.Exists(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref")) || Directory.Exists(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", "..", "packs", "Microsoft.NETCore.App.Ref")))
            Assert.Contains("Returns the larger", result.Text);
        Assert.False(this.interpreter.Inspect("   ", 1, 0).Found);
    }
}
