using System.Text.Json.Nodes;

using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Interpreter;

namespace Workbench.Kernel.Notebooks;

/// <summary>
/// Collects a headless run's outputs as nbformat output objects, the way a front end would: streams merge,
/// update_display_data replaces every earlier output with the same display id (in any cell), clear_output
/// clears the running cell (at the next output when asked to wait).
/// </summary>
internal sealed class NotebookOutputs : ICellSink
{
    private readonly Dictionary<string, List<JsonObject>> displays = new(StringComparer.Ordinal);
    private readonly object gate = new();
    private JsonArray cell = new();
    private bool clearPending;

    /// <summary>Starts collecting for <paramref name="outputs"/> (a cell's array, emptied first).</summary>
    public void BeginCell(JsonArray outputs)
    {
        lock (gate)
        {
            outputs.Clear();
            cell = outputs;
            clearPending = false;
        }
    }

    public void WriteStream(string name, string text)
    {
        lock (gate)
        {
            ClearIfPending();
            if (cell.Count > 0 && cell[^1] is JsonObject last && (string?)last["output_type"] == "stream" && (string?)last["name"] == name)
                last["text"] = (string?)last["text"] + text;
            else
                cell.Add(new JsonObject { ["output_type"] = "stream", ["name"] = name, ["text"] = text });
        }
    }

    public void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        lock (gate)
        {
            if (update)
            {
                if (displays.TryGetValue(displayId, out var shown))
                    foreach (var output in shown) output["data"] = CellOutput.ToData(bundle);
                return;
            }
            ClearIfPending();
            var display = new JsonObject { ["output_type"] = "display_data", ["data"] = CellOutput.ToData(bundle), ["metadata"] = new JsonObject() };
            cell.Add(display);
            if (!displays.TryGetValue(displayId, out var list)) displays[displayId] = list = new List<JsonObject>();
            list.Add(display);
        }
    }

    public void ClearOutput(bool wait)
    {
        lock (gate)
        {
            if (wait) clearPending = true;
            else cell.Clear();
        }
    }

    public string ReadInput(string prompt, bool password) =>
        throw new InvalidOperationException("a headless run has no one to answer Console.ReadLine()");

    public void Add(JsonObject output)
    {
        lock (gate)
        {
            ClearIfPending();
            cell.Add(output);
        }
    }

    private void ClearIfPending()
    {
        if (!clearPending) return;
        cell.Clear();
        clearPending = false;
    }
}
