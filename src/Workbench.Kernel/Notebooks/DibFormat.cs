using System.Text;
using System.Text.Json.Nodes;

namespace Workbench.Kernel.Notebooks;

/// <summary>
/// Polyglot Notebooks' plain-text format: cells start with a line naming their kernel (<c>#!csharp</c>,
/// <c>#!markdown</c>, ...), an optional leading <c>#!meta</c> cell holds JSON metadata (the kernel list).
/// Magic lines that are not kernel names (<c>#!time</c>) stay inside their cell.
/// </summary>
public static class DibFormat
{
    private static readonly HashSet<string> DefaultKernels = new(StringComparer.Ordinal)
    {
        "csharp", "c#", "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "html", "markdown", "md", "mermaid", "sql", "kql", "http", "value", "meta",
    };

    public static NotebookDocument Read(string text)
    {
        var document = new NotebookDocument();
        var kernels = new HashSet<string>(DefaultKernels, StringComparer.Ordinal);
        string? kernel = null;
        var body = new List<string>();

        void Flush()
        {
            if (kernel is null) return;
            var source = string.Join('\n', body).Trim('\n', '\r');
            body.Clear();
            if (kernel == "meta")
            {
                if (JsonNode.Parse(source) is JsonObject meta)
                {
                    document.Metadata["polyglot_notebook"] = meta;
                    foreach (var item in meta["kernelInfo"]?["items"] as JsonArray ?? new JsonArray())
                    {
                        if ((string?)item?["name"] is { } name) kernels.Add(name);
                        foreach (var alias in item?["aliases"] as JsonArray ?? new JsonArray()) if ((string?)alias is { } a) kernels.Add(a);
                    }
                }
                return;
            }
            if (source.Length == 0) return; // .dib files separate cells with blank lines; an empty cell carries nothing
            var language = Canonical(kernel);
            document.Cells.Add(language == "markdown" ? new NotebookCell(false, source) : new NotebookCell(true, source, language));
        }

        foreach (var raw in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.StartsWith("#!", StringComparison.Ordinal) && kernels.Contains(raw[2..].Trim()))
            {
                Flush();
                kernel = raw[2..].Trim();
                continue;
            }
            if (kernel is null)
            {
                if (raw.Trim().Length == 0) continue;
                kernel = "csharp"; // text before the first kernel line: the default kernel
            }
            body.Add(raw);
        }
        Flush();
        IpynbFormat.EnsureDotNetInteractiveMetadata(document);
        return document;
    }

    public static string Write(NotebookDocument document)
    {
        var sb = new StringBuilder();
        var meta = document.Metadata["polyglot_notebook"]?.DeepClone() as JsonObject ?? IpynbFormat.DefaultPolyglotMetadata();
        sb.Append("#!meta\n\n").Append(meta.ToJsonString()).Append("\n\n");
        foreach (var cell in document.Cells)
            sb.Append("#!").Append(cell.IsCode ? cell.Language : "markdown").Append("\n\n").Append(cell.Source.TrimEnd('\n')).Append("\n\n");
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static string Canonical(string kernel) => kernel switch
    {
        "c#" => "csharp",
        "f#" => "fsharp",
        "md" => "markdown",
        "js" => "javascript",
        "powershell" => "pwsh",
        _ => kernel,
    };
}
