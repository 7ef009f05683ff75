using System.Globalization;
using System.Xml;

using Microsoft.CodeAnalysis;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// Reads a compiler-generated XML doc file (&lt;doc&gt;&lt;members&gt;&lt;member name="M:..."&gt;) lazily, so that
/// inspect can show summaries. (Roslyn's own provider lives in the Workspaces package, which we don't need.)
/// </summary>
internal sealed class XmlDocs(params string[] paths) : DocumentationProvider
{
    private readonly Lazy<Dictionary<string, string>> members = new(() => Load(paths));

    protected override string? GetDocumentationForSymbol(string documentationMemberID, CultureInfo preferredCulture, CancellationToken cancellationToken = default) =>
        members.Value.TryGetValue(documentationMemberID, out var xml) ? xml : null;

    public override bool Equals(object? obj) => obj is XmlDocs other && other.Path == Path;

    public override int GetHashCode() => Path.GetHashCode(StringComparison.Ordinal);

    private string Path => string.Join(";", paths);

    private static Dictionary<string, string> Load(string[] paths)
    {
        var members = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths) Load(path, members);
        return members;
    }

    private static void Load(string path, Dictionary<string, string> members)
    {
        try
        {
            using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null });
            while (reader.ReadToFollowing("member"))
                if (reader.GetAttribute("name") is { } name) members[name] = reader.ReadOuterXml();
        }
        catch (Exception e) when (e is XmlException or IOException or UnauthorizedAccessException)
        {
            // Docs are a nicety: a broken or unreadable file means no summaries, not a failed kernel.
        }
    }
}
