using System.CommandLine;

using Workbench.Torch;

namespace Workbench.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        var root = new RootCommand("Workbench: colorization and super-resolution research on libtorch.");
        var version = new Command("version", "Print Workbench, libtorch and thread information.");
        version.SetAction(_ =>
        {
            Console.WriteLine($"libtorch {torch.__version__}, threads {torch.get_num_threads()}, cuda {torch.cuda.is_available()}");
            return 0;
        });
        root.Subcommands.Add(version);
        return root.Parse(args).Invoke();
    }
}
