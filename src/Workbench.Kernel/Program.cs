using System.Runtime.InteropServices;

using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Transport;

namespace Workbench.Kernel;

internal static class Program
{
    private const string Usage = """
        usage: workbench-kernel -f CONNECTION_FILE        run the kernel (Jupyter starts it this way)
               workbench-kernel install [--user | --prefix PATH] [--as-dotnet-interactive]
                                                          install the kernelspec 'workbench-csharp' (default: --user);
                                                          --as-dotnet-interactive: as '.net-csharp', the name notebooks
                                                          written for .NET Interactive ask for
        """;

    private static int Main(string[] args)
    {
        if (args is ["install", .. var rest]) return Install(rest);
        if (args is [("-f" or "--connection-file"), var file]) return Run(file);
        if (args.Length == 1 && args[0].StartsWith("--connection-file=", StringComparison.Ordinal)) return Run(args[0]["--connection-file=".Length..]);
        Console.Error.WriteLine(Usage);
        return args is ["-h"] or ["--help"] ? 0 : 2;
    }

    private static int Install(string[] args)
    {
        string? prefix = null;
        var asDotNetInteractive = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--user": prefix = null; break;
                case "--prefix" when i + 1 < args.Length: prefix = args[++i]; break;
                case "--as-dotnet-interactive": asDotNetInteractive = true; break;
                default:
                    Console.Error.WriteLine($"unknown install option '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        var dir = KernelSpecInstaller.Install(prefix, asDotNetInteractive: asDotNetInteractive);
        Console.WriteLine($"installed kernelspec '{KernelSpecInstaller.SpecName(asDotNetInteractive)}' ({KernelSpecInstaller.SpecDisplayName(asDotNetInteractive)}) in {dir}");
        return 0;
    }

    private static int Run(string connectionFile)
    {
        // The real stderr, before cells take Console over: Jupyter shows it in its log.
        var log = new KernelLog(Console.Error);
        var info = ConnectionInfo.Load(connectionFile);
        using var interpreter = new RoslynInterpreter();
        interpreter.WarmUpInBackground();
        using var server = new ZmqKernelServer(info, log);
        var dispatcher = new KernelDispatcher(server, interpreter, log);
        dispatcher.ShutdownRequested += _ => server.Stop();
        // Ctrl+C in the terminal that runs Jupyter reaches the kernel too: treat it as an interrupt, not an exit.
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, ctx =>
        {
            ctx.Cancel = true;
            interpreter.Interrupt();
        });
        server.Run(dispatcher);
        log.Info("kernel stopped");
        return 0;
    }
}
