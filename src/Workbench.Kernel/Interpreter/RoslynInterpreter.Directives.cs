using System.Diagnostics;
using System.Globalization;
using System.Net;

using Microsoft.CodeAnalysis;

using Workbench.Display;
using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// The .NET Interactive side of a cell: <c>#i</c>/<c>#r "nuget:"</c> lines run first (as there), then the cell
/// magics, then the segments in order (C# submissions, Markdown, HTML, values).
/// </summary>
public sealed partial class RoslynInterpreter
{
    private ExecutionOutcome RunWithDirectives(ParsedCell cell, string cellName)
    {
        foreach (var magic in cell.Magics)
            if (!CellParser.CellMagics.Contains(magic.Name))
            {
                var message = MagicCommands.UnknownMagicMessage(magic.Name);
                return ExecutionOutcome.Failed(new ErrorInfo("UnknownMagicCommand", message, new[] { $"{cellName} line {magic.Line}: {message}" }));
            }

        var clock = Stopwatch.StartNew();
        foreach (var source in cell.Sources) packages.AddSource(source);
        if (cell.Packages.Count > 0 && RestorePackages(cell.Packages) is { } failed) return failed;

        foreach (var magic in cell.Magics)
        {
            switch (magic.Name)
            {
                case "lsmagic": Notebook.Display(new MimeContent(MimeTypes.Html, MagicCommands.LsMagicHtml())); break;
                case "about": Notebook.Display(MagicCommands.AboutText(LanguageVersion)); break;
                case "who": Notebook.Display(MagicCommands.WhoText(state)); break;
                case "whos": Notebook.Display(MagicCommands.WhosTable(state)); break;
            }
        }

        var outcome = ExecutionOutcome.NoValue;
        foreach (var segment in cell.Segments)
        {
            outcome = RunSegment(segment, cellName);
            if (!outcome.Succeeded) break;
        }
        if (cell.Magics.Any(m => m.Name == "time"))
            Console.Out.Write(string.Create(CultureInfo.InvariantCulture, $"Wall time: {clock.Elapsed.TotalMilliseconds:0.####}ms\n"));
        return outcome;
    }

    private ExecutionOutcome RunSegment(CellSegment segment, string cellName)
    {
        switch (segment.Language)
        {
            case CellParser.CSharp:
                return RunCSharp(segment.Text, cellName);
            case "markdown":
                Notebook.Display(new MimeContent(MimeTypes.Markdown, segment.Text));
                return ExecutionOutcome.NoValue;
            case "html":
                Notebook.Display(new MimeContent(MimeTypes.Html, segment.Text));
                return ExecutionOutcome.NoValue;
            default: // value
                var name = ValueName(segment.Arguments);
                if (name is null)
                {
                    Notebook.Display(segment.Text);
                    return ExecutionOutcome.NoValue;
                }
                // A submission like any other, so the variable lives in the script state as if a cell declared it.
                var literal = Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(segment.Text, quote: true);
                return RunCSharp($"string {name} = {literal};", cellName);
        }
    }

    /// <summary>The NAME of <c>#!value --name NAME</c> (also <c>-n NAME</c>), or null.</summary>
    private static string? ValueName(string arguments)
    {
        var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i + 1 < parts.Length; i++)
            if (parts[i] is "--name" or "-n")
                return Microsoft.CodeAnalysis.CSharp.SyntaxFacts.IsValidIdentifier(parts[i + 1]) ? parts[i + 1] : throw new FormatException($"#!value --name {parts[i + 1]}: not a C# identifier");
        return null;
    }

    /// <summary>Restores and references packages, showing progress; an error outcome when they cannot be had.</summary>
    private ExecutionOutcome? RestorePackages(IReadOnlyList<PackageRequest> requests)
    {
        var listed = string.Join(", ", requests.Select(r => r.ToString()));
        DisplayHandle? progress = null;
        var clock = Stopwatch.StartNew();
        PackageLoad load;
        try
        {
            if (!packages.IsCached(requests))
                progress = Notebook.Display(Html($"<div><strong>Restoring packages</strong>: {WebUtility.HtmlEncode(listed)} ...</div>", $"Restoring packages: {listed} ..."));
            load = packages.Add(requests);
        }
        catch (PackageRestoreException e)
        {
            progress?.Update(Html($"<div><strong>Restore failed</strong>: {WebUtility.HtmlEncode(listed)}</div>", $"Restore failed: {listed}"));
            var lines = new List<string> { $"Restoring {listed} failed:" };
            lines.AddRange(e.Message.Split('\n'));
            return ExecutionOutcome.Failed(new ErrorInfo("PackageRestoreError", e.Message, lines));
        }
        var referenced = Options.MetadataReferences.OfType<PortableExecutableReference>().Select(r => r.FilePath).ToHashSet(StringComparer.Ordinal);
        var added = load.NewReferences.Where(p => !referenced.Contains(p)).ToList();
        if (added.Count > 0) Options = Options.AddReferences(added.Select(p => MetadataReference.CreateFromFile(p)));

        var items = string.Concat(load.Installed.Select(p => $"<li><span>{WebUtility.HtmlEncode(p.Name)}, {WebUtility.HtmlEncode(p.Version)}</span></li>"));
        var notes = string.Concat(load.Notes.Select(n => $"<li><span>{WebUtility.HtmlEncode(n)}</span></li>"));
        var html = $"<div><div><strong>Installed Packages</strong><ul>{items}</ul></div>{(notes.Length > 0 ? $"<div><strong>Notes</strong><ul>{notes}</ul></div>" : "")}</div>";
        var text = "Installed Packages: " + string.Join(", ", load.Installed.Select(p => $"{p.Name}, {p.Version}"))
                 + string.Concat(load.Notes.Select(n => "\n  note: " + n))
                 + (progress is null ? "" : string.Create(CultureInfo.InvariantCulture, $"\n  (restored in {clock.Elapsed.TotalSeconds:0.0} s)"));
        if (progress is null) Notebook.Display(Html(html, text));
        else progress.Update(Html(html, text));
        return null;
    }

    private static HtmlWithText Html(string html, string text) => new(html, text);

    private sealed class HtmlWithText(string html, string text) : IMimeRenderable
    {
        public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string> { [MimeTypes.Html] = html, [MimeTypes.PlainText] = text };
    }
}
