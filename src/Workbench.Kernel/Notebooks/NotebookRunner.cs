using System.Text.Json.Nodes;

using Workbench.Display;
using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Interpreter;

namespace Workbench.Kernel.Notebooks;

/// <summary>The result of a headless run: how many code cells ran and the first error, if any.</summary>
public sealed record NotebookRunResult(int CellsRun, string? FirstError)
{
    public bool Succeeded => FirstError is null;
}

/// <summary>
/// Runs a notebook's code cells in order through the kernel's interpreter, without Jupyter, filling in each
/// cell's outputs as a front end would (execute_result, display_data, streams, errors). Stops at the first
/// failing cell, as nbclient and "Run All" do. Cells in another .NET Interactive kernel (#!html, #!markdown,
/// #!fsharp ...) go through the same magic handling as in a notebook.
/// </summary>
public static class NotebookRunner
{
    public static NotebookRunResult Run(NotebookDocument document, IInterpreter interpreter, Action<string>? log = null)
    {
        var outputs = new NotebookOutputs();
        var count = 0;
        foreach (var cell in document.Cells.Where(c => c.IsCode))
        {
            count++;
            cell.ExecutionCount = count;
            outputs.BeginCell(cell.Outputs);
            var code = cell.Language == "csharp" ? cell.Source : $"#!{cell.Language}\n{cell.Source}";
            var outcome = interpreter.Execute(code, count, outputs);
            if (outcome.Error is null && outcome.HasValue)
            {
                try
                {
                    var data = CellOutput.ToData(Formatter.ToMimeBundle(outcome.Value));
                    outputs.Add(new JsonObject { ["output_type"] = "execute_result", ["execution_count"] = count, ["data"] = data, ["metadata"] = new JsonObject() });
                }
                catch (Exception e) // a user type's ToString() threw
                {
                    outcome = ExecutionOutcome.Failed(new ErrorInfo(e.GetType().Name, "formatting the result failed: " + e.Message, new[] { e.ToString() }));
                }
            }
            if (outcome.Error is { } error)
            {
                outputs.Add(new JsonObject
                {
                    ["output_type"] = "error", ["ename"] = error.Name, ["evalue"] = error.Value,
                    ["traceback"] = new JsonArray(error.Traceback.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()),
                });
                log?.Invoke($"cell {count}: {error.Name}: {error.Value}");
                return new NotebookRunResult(count, $"{error.Name}: {error.Value} (code cell {count})");
            }
            log?.Invoke($"cell {count}: ok");
        }
        return new NotebookRunResult(count, null);
    }
}
