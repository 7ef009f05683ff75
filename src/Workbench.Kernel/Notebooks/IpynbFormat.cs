using System.Text.Json;
using System.Text.Json.Nodes;

namespace Workbench.Kernel.Notebooks;

/// <summary>
/// Jupyter's .ipynb (nbformat 4) as .NET Interactive writes it: code cells carry their kernel name in
/// <c>metadata.polyglot_notebook.kernelName</c> (older files: <c>metadata.dotnet_interactive.language</c>).
/// </summary>
public static class IpynbFormat
{
    // Relaxed escaping: HTML outputs stay readable ("<table>", not "\u003Ctable\u003E"), as Jupyter writes them.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static NotebookDocument Read(string text)
    {
        var root = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException("not a notebook: the file is not a JSON object");
        var document = new NotebookDocument { Metadata = root["metadata"]?.DeepClone() as JsonObject ?? new JsonObject() };
        foreach (var node in root["cells"] as JsonArray ?? new JsonArray())
        {
            if (node is not JsonObject cell) continue;
            var source = SourceText(cell["source"]);
            switch ((string?)cell["cell_type"])
            {
                case "code":
                    var language = (string?)cell["metadata"]?["polyglot_notebook"]?["kernelName"] ?? (string?)cell["metadata"]?["dotnet_interactive"]?["language"] ?? "csharp";
                    document.Cells.Add(new NotebookCell(true, source, language)
                    {
                        Outputs = cell["outputs"]?.DeepClone() as JsonArray ?? new JsonArray(),
                        ExecutionCount = (int?)cell["execution_count"],
                    });
                    break;
                case "markdown":
                    document.Cells.Add(new NotebookCell(false, source));
                    break;
            }
        }
        return document;
    }

    public static string Write(NotebookDocument document)
    {
        EnsureDotNetInteractiveMetadata(document);
        var cells = new JsonArray();
        foreach (var cell in document.Cells)
        {
            var json = new JsonObject
            {
                ["cell_type"] = cell.IsCode ? "code" : "markdown",
                ["metadata"] = cell.IsCode
                    ? new JsonObject { ["dotnet_interactive"] = new JsonObject { ["language"] = cell.Language }, ["polyglot_notebook"] = new JsonObject { ["kernelName"] = cell.Language } }
                    : new JsonObject(),
                ["source"] = SourceLines(cell.Source),
            };
            if (cell.IsCode)
            {
                json["execution_count"] = cell.ExecutionCount;
                json["outputs"] = cell.Outputs.DeepClone();
            }
            cells.Add(json);
        }
        var root = new JsonObject { ["cells"] = cells, ["metadata"] = document.Metadata.DeepClone(), ["nbformat"] = 4, ["nbformat_minor"] = 5 };
        return root.ToJsonString(Indented) + "\n";
    }

    /// <summary>Gives a notebook without a kernelspec .NET Interactive's (<c>.net-csharp</c>) and its kernel list.</summary>
    public static void EnsureDotNetInteractiveMetadata(NotebookDocument document)
    {
        document.Metadata["kernelspec"] ??= new JsonObject { ["display_name"] = ".NET (C#)", ["language"] = "C#", ["name"] = KernelSpecInstaller.DotNetInteractiveName };
        document.Metadata["language_info"] ??= new JsonObject { ["name"] = "polyglot-notebook" };
        document.Metadata["polyglot_notebook"] ??= DefaultPolyglotMetadata();
    }

    public static JsonObject DefaultPolyglotMetadata() => new()
    {
        ["kernelInfo"] = new JsonObject
        {
            ["defaultKernelName"] = "csharp",
            ["items"] = new JsonArray(new JsonObject { ["aliases"] = new JsonArray(), ["name"] = "csharp" }),
        },
    };

    private static string SourceText(JsonNode? source) => source switch
    {
        JsonArray lines => string.Concat(lines.Select(l => (string?)l ?? "")),
        JsonValue v => (string?)v ?? "",
        _ => "",
    };

    // nbformat stores source as lines that keep their "\n" (all but the last).
    private static JsonArray SourceLines(string text)
    {
        var lines = new JsonArray();
        var parts = text.Split('\n');
        for (var i = 0; i < parts.Length; i++)
        {
            var line = i < parts.Length - 1 ? parts[i] + "\n" : parts[i];
            if (line.Length > 0) lines.Add(line);
        }
        return lines;
    }
}
