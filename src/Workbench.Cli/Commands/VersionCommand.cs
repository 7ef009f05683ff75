using System.CommandLine;

using Workbench.Torch;

namespace Workbench.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Workbench, libtorch, thread and device information");
        command.SetGuardedAction(_ =>
        {
            var assembly = typeof(VersionCommand).Assembly.GetName();
            Console.WriteLine($"workbench {assembly.Version}");
            Console.WriteLine($"libtorch  {torch.__version__} (threads: {torch.get_num_threads()}, oneDNN: {torch.backends.mkldnn.is_available()})");
            Console.WriteLine($"cuda      {(torch.cuda.is_available() ? $"{torch.cuda.device_count()} device(s)" : "not available")}");
            return 0;
        });
        return command;
    }
}
