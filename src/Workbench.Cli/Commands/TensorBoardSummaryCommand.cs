using System.CommandLine;
using System.Globalization;

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
            var table = new Display.Table("run", "tag", "kind", "count", "steps", "last", "min", "max");
            string F(double? v) => v is { } x ? x.ToString("G5", CultureInfo.InvariantCulture) : "";
            foreach (var t in tags)
                table.AddRow(t.Run, t.Tag, t.Kind, t.Count.ToString(CultureInfo.InvariantCulture), $"{t.FirstStep}..{t.LastStep}", F(t.LastValue), F(t.Min), F(t.Max));
            ConsoleTable.Write(table, folder);
            Console.WriteLine($"{tags.Count} tags; open with: tensorboard --logdir {folder}");
            return 0;
        });
        return command;
    }
}
