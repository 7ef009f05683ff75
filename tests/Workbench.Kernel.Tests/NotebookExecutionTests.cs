using System.Text.Json.Nodes;

namespace Workbench.Kernel.Tests;

/// <summary>Notebooks run headless by nbconvert (nbclient) with the workbench-csharp kernel.</summary>
public class NotebookExecutionTests
{
    private static JsonObject Notebook(params string[] cells) => new()
    {
        ["nbformat"] = 4,
        ["nbformat_minor"] = 5,
        ["metadata"] = new JsonObject
        {
            ["kernelspec"] = new JsonObject { ["name"] = KernelSpecInstaller.Name, ["display_name"] = KernelSpecInstaller.DisplayName, ["language"] = "csharp" },
            ["language_info"] = new JsonObject { ["name"] = "csharp" },
        },
        ["cells"] = new JsonArray(cells.Select((source, i) => (JsonNode)new JsonObject
        {
            ["cell_type"] = "code", ["id"] = $"cell-{i}", ["metadata"] = new JsonObject(), ["execution_count"] = null,
            ["outputs"] = new JsonArray(), ["source"] = source,
        }).ToArray()),
    };

    /// <summary>Executes the notebook with nbconvert and returns the executed cells.</summary>
    private static JsonArray Execute(JsonObject notebook, bool allowErrors)
    {
        var dir = Directory.CreateTempSubdirectory("wb-nbconvert").FullName;
        File.WriteAllText(Path.Combine(dir, "sample.ipynb"), notebook.ToJsonString());
        var args = new List<string> { "-m", "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120", "--output", "executed.ipynb", "sample.ipynb" };
        if (allowErrors) args.Insert(args.Count - 1, "--allow-errors");
        var (exitCode, output) = JupyterEnvironment.RunPython(dir, TimeSpan.FromMinutes(4), args.ToArray());
        Assert.True(exitCode == 0, output);
        var executed = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "executed.ipynb")))!;
        return executed["cells"]!.AsArray();
    }

    private static JsonObject Output(JsonArray cells, int cell, string outputType) =>
        cells[cell]!["outputs"]!.AsArray().Select(o => o!.AsObject()).Single(o => (string?)o["output_type"] == outputType);

    private static string Text(JsonNode? node) => node is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)node ?? "";

    [Fact]
    public void SampleNotebookExecutesWithStreamDisplayAndResultOutputs()
    {
        var cells = Execute(Notebook(
            "var x = 6 * 7;\nConsole.WriteLine(\"x = \" + x);",
            "display(new Table(\"n\", \"square\").AddRow(2, 4));",
            "x"), allowErrors: false);
        Assert.Equal("x = 42\n", Text(Output(cells, 0, "stream")["text"]));
        Assert.Contains("<table", Text(Output(cells, 1, "display_data")["data"]!["text/html"]));
        var result = Output(cells, 2, "execute_result");
        Assert.Equal("42", Text(result["data"]!["text/plain"]));
        Assert.Equal(3, (int)result["execution_count"]!);
    }

    [Fact]
    public void ACellThatThrowsProducesAnErrorOutput()
    {
        var cells = Execute(Notebook(
            "int Div(int a) => 10 / a;",
            "Console.WriteLine(\"before\");\nDiv(0)"), allowErrors: true);
        var error = Output(cells, 1, "error");
        Assert.Equal("DivideByZeroException", (string?)error["ename"]);
        Assert.Equal("Attempted to divide by zero.", (string?)error["evalue"]);
        var traceback = error["traceback"]!.AsArray().Select(l => (string?)l ?? "").ToList();
        Assert.Contains(traceback, l => l.Contains("Div(Int32 a) in cell[1], line 1"));
        Assert.Contains(traceback, l => l.Contains("cell[2], line 2"));
        Assert.Equal("before\n", Text(Output(cells, 1, "stream")["text"]));
    }
}
