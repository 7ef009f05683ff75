using System.CommandLine;

using Workbench.Cli.Commands;

namespace Workbench.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Workbench: colorization and super-resolution research on libtorch.");
        root.Options.Add(CliOptions.Verbose);
        foreach (var command in new[] { VersionCommand.Create(), PrepareCommand.Create(), DataCommand.Create(), UpscaleCommand.Create(), TrainCommand.Create(), ColorizeCommand.Create("colorize"), ColorizeCommand.Create("defade"), EvaluateCommand.Create(), ExportCommand.Create() })
            root.Subcommands.Add(command);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'workbench --help' for usage.");
            return 2;
        }
        return parse.Invoke();
    }
}
