using System.Text.Json.Nodes;

using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Notebooks;
using Workbench.Kernel.Tests.Dispatch;

namespace Workbench.Kernel.Tests.Notebooks;

public class NotebookRunnerTests
{
    private static NotebookDocument Document(params string[] code)
    {
        var document = new NotebookDocument();
        document.Cells.Add(new NotebookCell(false, "# text"));
        foreach (var c in code) document.Cells.Add(new NotebookCell(true, c));
        return document;
    }

    [Fact]
    public void OutputsAreCollectedAsAFrontEndWould()
    {
        var interpreter = new FakeInterpreter
        {
            OnExecute = (code, sink) =>
            {
                if (code == "show") sink.Publish(new Dictionary<string, string> { ["text/plain"] = "0" }, "d1", update: false);
                if (code == "update") sink.Publish(new Dictionary<string, string> { ["text/plain"] = "5" }, "d1", update: true);
                sink.WriteStream("stdout", "a");
                sink.WriteStream("stdout", "b");
                return ExecutionOutcome.Result(42);
            },
        };
        var document = Document("show", "update");
        var result = NotebookRunner.Run(document, interpreter);
        Assert.True(result.Succeeded);
        var first = document.Cells[1].Outputs;
        Assert.Equal(new[] { "display_data", "stream", "execute_result" }, first.Select(o => (string?)o!["output_type"]));
        Assert.Equal("5", (string?)first[0]!["data"]!["text/plain"]); // updated by the next cell
        Assert.Equal("ab", (string?)first[1]!["text"]);
        Assert.Equal(2, document.Cells[2].ExecutionCount);
    }

    [Fact]
    public void RunStopsAtTheFirstError()
    {
        var interpreter = new FakeInterpreter
        {
            OnExecute = (code, _) => code == "bad" ? ExecutionOutcome.Failed(new ErrorInfo("Boom", "it broke", new[] { "trace" })) : ExecutionOutcome.NoValue,
        };
        var document = Document("ok", "bad", "never");
        var result = NotebookRunner.Run(document, interpreter);
        Assert.Equal("Boom: it broke (code cell 2)", result.FirstError);
        Assert.Equal("error", (string?)document.Cells[2].Outputs.Single()!["output_type"]);
        Assert.Empty(document.Cells[3].Outputs);
        Assert.DoesNotContain("never", interpreter.Executed);
    }

    [Fact]
    public void CellsOfAnotherKernelGoThroughItsMagic()
    {
        var interpreter = new FakeInterpreter();
        var document = new NotebookDocument();
        document.Cells.Add(new NotebookCell(true, "<b>x</b>", "html"));
        NotebookRunner.Run(document, interpreter);
        Assert.Equal("#!html\n<b>x</b>", Assert.Single(interpreter.Executed));
    }
}
