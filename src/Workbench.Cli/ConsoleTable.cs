using Spectre.Console;

namespace Workbench.Cli;

/// <summary>
/// Prints a table for a person or for a program: a Spectre table on a terminal; plain aligned text (no ANSI escapes,
/// no wrapping at 80 columns, one row per line) when stdout is redirected to a file or a pipe, so grep, cut and diff work.
/// </summary>
internal static class ConsoleTable
{
    /// <param name="table">The cells (plain text).</param>
    /// <param name="title">A line above the table.</param>
    /// <param name="bold">Rows to emphasise on a terminal (e.g. means).</param>
    /// <param name="plain">Force the plain form (default: when stdout is redirected).</param>
    public static void Write(Display.Table table, string? title = null, Func<IReadOnlyList<string>, bool>? bold = null, bool? plain = null)
    {
        if (plain ?? Console.IsOutputRedirected)
        {
            if (title is not null) Console.WriteLine(title);
            Console.WriteLine(table.ToString());
            return;
        }
        var rendered = new Table().Border(TableBorder.Simple);
        if (title is not null) rendered.Title($"[bold]{Markup.Escape(title)}[/]");
        foreach (var column in table.Columns) rendered.AddColumn(Markup.Escape(column));
        foreach (var row in table.Rows)
        {
            var cells = row.Select(Markup.Escape);
            rendered.AddRow((bold?.Invoke(row) == true ? cells.Select(c => $"[bold]{c}[/]") : cells).ToArray());
        }
        AnsiConsole.Write(rendered);
        // Below the table rather than as its caption, which Spectre wraps to the table's width.
        if (table.Caption is { } caption) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(caption)}[/]");
    }

    /// <summary>When stdout is redirected, Spectre output anywhere (progress summaries, markup lines) has no ANSI escapes and no 80-column wrapping.</summary>
    public static void PlainWhenRedirected()
    {
        if (!Console.IsOutputRedirected) return;
        AnsiConsole.Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(Console.Out),
        });
        AnsiConsole.Profile.Width = 4096; // Spectre assumes 80 columns without a terminal
    }
}
