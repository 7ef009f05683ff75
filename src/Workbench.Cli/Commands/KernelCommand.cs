using System.CommandLine;

using Workbench.Kernel;

namespace Workbench.Cli.Commands;

/// <summary><c>workbench kernel install [--user | --prefix PATH] [--as-dotnet-interactive]</c>: register the C# Jupyter kernel with Jupyter.</summary>
internal static class KernelCommand
{
    private static readonly Option<bool> User = new("--user")
    {
        Description = "Install for the current user ($JUPYTER_DATA_DIR/kernels, else ~/.local/share/jupyter/kernels); the default",
    };

    private static readonly Option<string?> Prefix = new("--prefix")
    {
        Description = "Install into PATH/share/jupyter/kernels instead (a virtual environment, a test); Jupyter finds it with JUPYTER_PATH=PATH/share/jupyter",
    };

    private static readonly Option<bool> AsDotNetInteractive = new("--as-dotnet-interactive")
    {
        Description = $"Install under .NET Interactive's kernelspec name '{KernelSpecInstaller.DotNetInteractiveName}', so notebooks written for Polyglot Notebooks open with this kernel unedited",
    };

    public static Command Create()
    {
        var install = new Command("install", $"Install the kernelspec '{KernelSpecInstaller.Name}' ({KernelSpecInstaller.DisplayName}) that runs notebooks with this build's kernel");
        install.Options.Add(User);
        install.Options.Add(Prefix);
        install.Options.Add(AsDotNetInteractive);
        install.SetGuardedAction(parse =>
        {
            var prefix = parse.GetValue(Prefix);
            if (parse.GetValue(User) && prefix is not null) throw new UsageException("--user and --prefix exclude each other");
            var dotnetInteractive = parse.GetValue(AsDotNetInteractive);
            var dir = KernelSpecInstaller.Install(prefix, asDotNetInteractive: dotnetInteractive);
            Console.WriteLine($"installed kernelspec '{KernelSpecInstaller.SpecName(dotnetInteractive)}' ({KernelSpecInstaller.SpecDisplayName(dotnetInteractive)}) in {dir}");
            Console.WriteLine($"kernel: {KernelSpecInstaller.KernelDll}");
            return 0;
        });

        var command = new Command("kernel", "The Workbench C# Jupyter kernel (Roslyn scripting, inline images and Plotly figures)");
        command.Subcommands.Add(install);
        return command;
    }
}
