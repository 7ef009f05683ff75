using System.CommandLine;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench train TASK ...</c>: one subcommand per recipe, each created in its own file.</summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var command = new Command("train", "Train a model with a recipe (TensorBoard events, checkpoints and config.json in the run folder)");
        // One recipe per line.
        command.Subcommands.Add(TrainSrCommand.Create());
        return command;
    }
}
