using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Interpreter;

/// <summary>A stretch of a cell in one language: C#, or the body of <c>#!markdown</c>, <c>#!html</c>, <c>#!value</c>.</summary>
/// <param name="Text">
/// For C#: the whole cell with every line outside this segment (and every directive line) left empty, so that
/// compiler errors and stack traces keep the cell's line numbers. Otherwise the segment's own lines.
/// </param>
public sealed record CellSegment(string Language, string Arguments, string Text);

/// <summary>A line magic that acts on the whole cell: <c>#!time</c>, <c>#!lsmagic</c>, <c>#!about</c>, <c>#!who</c>, <c>#!whos</c>.</summary>
public sealed record LineMagic(string Name, string Arguments, int Line);

/// <summary>A cell split the way .NET Interactive splits it: directives first, then the segments in order.</summary>
public sealed record ParsedCell(
    IReadOnlyList<PackageRequest> Packages,
    IReadOnlyList<string> Sources,
    IReadOnlyList<LineMagic> Magics,
    IReadOnlyList<CellSegment> Segments)
{
    public bool HasDirectives => Packages.Count > 0 || Sources.Count > 0 || Magics.Count > 0 || Segments.Any(s => s.Language != CellParser.CSharp);
}

/// <summary>
/// Finds .NET Interactive's directives in a cell: <c>#r "nuget: ..."</c>, <c>#i "nuget: ..."</c> and <c>#!</c> magic
/// lines (at the start of a line). Everything else is C#, which Roslyn sees with those lines blanked out.
/// </summary>
public static class CellParser
{
    public const string CSharp = "csharp";

    /// <summary>Magics that switch the language of the lines after them (until the next switch).</summary>
    public static readonly IReadOnlyDictionary<string, string> LanguageMagics = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["csharp"] = CSharp, ["c#"] = CSharp, ["C#"] = CSharp,
        ["markdown"] = "markdown", ["md"] = "markdown",
        ["html"] = "html",
        ["value"] = "value",
    };

    /// <summary>Magics that act on the whole cell.</summary>
    public static readonly IReadOnlyList<string> CellMagics = new[] { "time", "lsmagic", "about", "who", "whos" };

    public static ParsedCell Parse(string code)
    {
        var lines = code.Split('\n');
        var packages = new List<PackageRequest>();
        var sources = new List<string>();
        var magics = new List<LineMagic>();
        var segments = new List<(string Language, string Arguments, int Start, List<int> Lines)>();
        var current = (Language: CSharp, Arguments: "", Start: 0, Lines: new List<int>());
        var csharpLines = new bool[lines.Length];

        for (var i = 0; i < lines.Length; i++)
        {
            var trimmed = lines[i].Trim();
            if (current.Language == CSharp && QuotedDirective(trimmed, "#r") is { } reference && PackageRequest.Parse(reference) is { } package)
            {
                packages.Add(package);
                continue;
            }
            if (current.Language == CSharp && QuotedDirective(trimmed, "#i") is { } include && PackageRequest.ParseSource(include) is { } source)
            {
                sources.Add(source);
                continue;
            }
            if (trimmed.StartsWith("#!", StringComparison.Ordinal) && !(i == 0 && trimmed.StartsWith("#!/", StringComparison.Ordinal)))
            {
                var (name, arguments) = SplitMagic(trimmed[2..]);
                if (LanguageMagics.TryGetValue(name, out var language))
                {
                    if (current.Language != CSharp || current.Lines.Count > 0) segments.Add(current);
                    current = (language, arguments, i + 1, new List<int>());
                    continue;
                }
                if (CellMagics.Contains(name) || current.Language == CSharp)
                {
                    // Unknown names are kept too: running the cell reports them with the list of known ones.
                    magics.Add(new LineMagic(name, arguments, i + 1));
                    continue;
                }
            }
            current.Lines.Add(i);
            if (current.Language == CSharp) csharpLines[i] = true;
        }
        if (current.Language != CSharp || current.Lines.Count > 0) segments.Add(current);

        var result = new List<CellSegment>();
        foreach (var s in segments)
        {
            if (s.Language == CSharp)
            {
                var keep = s.Lines.ToHashSet();
                var text = string.Join('\n', lines.Select((l, i) => keep.Contains(i) ? l : ""));
                if (!string.IsNullOrWhiteSpace(text)) result.Add(new CellSegment(CSharp, s.Arguments, text));
            }
            else
            {
                result.Add(new CellSegment(s.Language, s.Arguments, string.Join('\n', s.Lines.Select(i => lines[i])).Trim('\n', '\r')));
            }
        }
        return new ParsedCell(packages, sources, magics, result);
    }

    /// <summary>The quoted text of <c>#r "..."</c> (or <c>#i</c>), or null when the line is something else.</summary>
    private static string? QuotedDirective(string line, string directive)
    {
        if (!line.StartsWith(directive, StringComparison.Ordinal)) return null;
        var rest = line[directive.Length..].TrimStart();
        if (rest.Length < 2 || rest[0] != '"') return null;
        var end = rest.IndexOf('"', 1);
        if (end < 0) return null;
        var after = rest[(end + 1)..].Trim();
        return after.Length == 0 || after.StartsWith("//", StringComparison.Ordinal) ? rest[1..end] : null;
    }

    private static (string Name, string Arguments) SplitMagic(string text)
    {
        var space = text.IndexOfAny(new[] { ' ', '\t' });
        return space < 0 ? (text.Trim(), "") : (text[..space], text[(space + 1)..].Trim());
    }
}
