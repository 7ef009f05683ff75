using System.CommandLine;
using System.Globalization;

using Spectre.Console;

using Workbench.Logging;

namespace Workbench.Cli.Commands;

/// <summary>`workbench tensorboard-summary runs/NAME`: the scalars and image tags of a run, without TensorBoard.</summary>
internal static class TensorBoardSummaryCommand
{
    public static Command Create()
    {
        var run = new Argument<DirectoryInfo>("run") { Description = "A run folder, e.g. runs/quickstart-espcn" };
        var command = new Command("tensorboard-summary", "Print the scalar, image and histogram tags a TensorBoard run holds") { run };
        command.SetGuardedAction(parse =>
        {
            var folder = parse.GetValue(run)!.FullName;
            var tags = EventFileReader.Summarize(folder);
            var table = new Table().Border(TableBorder.Simple).Title($"[bold]{Markup.Escape(folder)}[/]");
            foreach (var column in new[] { "run", "tag", "kind", "count", "steps", "last", "min", "max" }) table.AddColumn(column);
            string F(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "";
            foreach (var t in tags)
                table.AddRow(Markup.Escape(t.Run), Markup.Escape(t.Tag), t.Kind, t.Count.ToString(CultureInfo.InvariantCulture), $"{t.FirstStep}..{t.LastStep}", F(t.LastValue), F(t.Min), F(t.Max));
            AnsiConsole.Write(table);
            Console.WriteLine($"{tags.Count} tags; open with: tensorboard --logdir {folder}");
            return 0;
        });
        return command;
    }
}
