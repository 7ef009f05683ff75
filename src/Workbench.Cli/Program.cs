using System.CommandLine;

using Workbench.Cli.Commands;

namespace Workbench.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        ConsoleTable.PlainWhenRedirected();
        var root = BuildRoot();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
            Console.Error.WriteLine("Run 'workbench --help' for usage.");
            return 2;
        }
        // Async invocation hooks Ctrl-C/SIGTERM to the actions' CancellationToken (the synchronous one does not);
        // the timeout leaves an interrupted training run time to write its checkpoint.
        return parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromMinutes(2) }).GetAwaiter().GetResult();
    }

    /// <summary>The whole command tree (tests walk it).</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("Workbench: colorization and super-resolution research on libtorch.");
        root.Options.Add(CliOptions.Verbose);
        root.Options.Add(CliOptions.Threads);
        // One command per line, alphabetical: each feature adds its own line.
        Command[] commands =
        [
            ColorizeCommand.Create("colorize"),
            DataCommand.Create(),
            ColorizeCommand.Create("defade"),
            EvaluateCommand.Create(),
            ExperimentCommand.Create(),
            ExportCommand.Create(),
            ImportCommand.Create(),
            KernelCommand.Create(),
            NotebookCommand.Create(),
            PrepareCommand.Create(),
            QuickstartCommand.Create(),
            TensorBoardSummaryCommand.Create(),
            TrainCommand.Create(),
            UpscaleCommand.Create(),
            VersionCommand.Create(),
        ];
        foreach (var command in commands) root.Subcommands.Add(command);
        return root;
    }
}
