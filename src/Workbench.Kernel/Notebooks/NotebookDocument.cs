using System.Text.Json.Nodes;

namespace Workbench.Kernel.Notebooks;

/// <summary>One cell: code (with its .NET Interactive kernel name, "csharp" by default) or markdown, and the outputs of a run.</summary>
public sealed class NotebookCell(bool isCode, string source, string language = "csharp")
{
    public bool IsCode { get; } = isCode;

    public string Source { get; set; } = source;

    /// <summary>The cell's kernel as .NET Interactive names it: csharp, fsharp, markdown, html, ...</summary>
    public string Language { get; } = isCode ? language : "markdown";

    public JsonArray Outputs { get; set; } = new();

    public int? ExecutionCount { get; set; }
}

/// <summary>A notebook independent of its file format (.ipynb or Polyglot's .dib).</summary>
public sealed class NotebookDocument
{
    public List<NotebookCell> Cells { get; } = new();

    /// <summary>The notebook-level metadata of an .ipynb (kernelspec, language_info ...), kept as read.</summary>
    public JsonObject Metadata { get; set; } = new();

    /// <summary>Reads .ipynb or .dib by extension.</summary>
    public static NotebookDocument Load(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".ipynb" => IpynbFormat.Read(File.ReadAllText(path)),
        ".dib" => DibFormat.Read(File.ReadAllText(path)),
        var ext => throw new ArgumentException($"{path}: unknown notebook format '{ext}' (expected .ipynb or .dib)", nameof(path)),
    };

    /// <summary>Writes .ipynb or .dib by extension (a .dib keeps no outputs: the format has none).</summary>
    public void Save(string path)
    {
        var text = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".ipynb" => IpynbFormat.Write(this),
            ".dib" => DibFormat.Write(this),
            var ext => throw new ArgumentException($"{path}: unknown notebook format '{ext}' (expected .ipynb or .dib)", nameof(path)),
        };
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        File.WriteAllText(path, text);
    }
}
