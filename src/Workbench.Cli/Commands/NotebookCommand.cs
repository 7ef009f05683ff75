using System.CommandLine;

using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Notebooks;

namespace Workbench.Cli.Commands;

/// <summary>
/// <c>workbench notebook convert IN OUT</c> (.ipynb ⇄ .dib) and <c>workbench notebook run IN [--output OUT]</c>:
/// executes a notebook headless through the kernel's interpreter and writes the executed copy (.ipynb).
/// </summary>
internal static class NotebookCommand
{
    private static readonly Argument<FileInfo> Input = new("input") { Description = "The notebook (.ipynb or .dib)" };
    private static readonly Argument<FileInfo> ConvertOutput = new("output") { Description = "The converted notebook (.ipynb or .dib, by extension)" };
    private static readonly Option<FileInfo?> RunOutput = new("--output", "-o")
    {
        Description = "Where the executed copy goes (.ipynb, or .dib without outputs); default: NAME.executed.ipynb beside the input",
    };

    public static Command Create()
    {
        var convert = new Command("convert", "Convert between Jupyter's .ipynb and Polyglot Notebooks' .dib (the format follows each file's extension)");
        convert.Arguments.Add(Input);
        convert.Arguments.Add(ConvertOutput);
        convert.SetGuardedAction(parse =>
        {
            var input = Existing(parse.GetValue(Input)!);
            var output = parse.GetValue(ConvertOutput)!;
            NotebookDocument.Load(input.FullName).Save(output.FullName);
            Console.WriteLine($"wrote {output.FullName}");
            return 0;
        });

        var run = new Command("run", "Run every code cell of a notebook (.ipynb or .dib) headless through the Workbench kernel and write the executed copy; exit 1 when a cell fails");
        run.Arguments.Add(Input);
        run.Options.Add(RunOutput);
        run.SetGuardedAction(parse =>
        {
            var input = Existing(parse.GetValue(Input)!);
            var output = parse.GetValue(RunOutput)?.FullName ?? Path.Combine(input.DirectoryName ?? ".", Path.GetFileNameWithoutExtension(input.Name) + ".executed.ipynb");
            var document = NotebookDocument.Load(input.FullName);
            // The interpreter takes Console over for the cells; progress goes to the terminal we had.
            var terminal = Console.Out;
            var cwd = Environment.CurrentDirectory;
            NotebookRunResult result;
            try
            {
                Environment.CurrentDirectory = input.DirectoryName ?? cwd; // cells resolve relative paths as in Jupyter
                using var interpreter = new RoslynInterpreter();
                result = NotebookRunner.Run(document, interpreter, line => terminal.WriteLine(line));
            }
            finally
            {
                Environment.CurrentDirectory = cwd;
            }
            document.Save(output);
            terminal.WriteLine(result.Succeeded ? $"{result.CellsRun} code cells ok; executed copy: {output}" : $"error: {result.FirstError}; executed copy: {output}");
            return result.Succeeded ? 0 : 1;
        });

        var command = new Command("notebook", "Notebooks written for .NET Interactive / Polyglot Notebooks: convert .dib and .ipynb, run headless");
        command.Subcommands.Add(convert);
        command.Subcommands.Add(run);
        return command;
    }

    private static FileInfo Existing(FileInfo file) => file.Exists ? file : throw new UsageException($"{file.FullName} does not exist");
}
