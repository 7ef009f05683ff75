using Workbench.Torch.Serialization;

namespace Workbench.Torch.Tests;

/// <summary>
/// The test assembly's entry point (the generated one is turned off in the .csproj), so a test can run
/// this assembly as a child process and kill it at a chosen moment.
/// </summary>
public static class ChildProgram
{
    public const string AtomicWriteThenHang = "atomic-write-then-hang";
    public const string Writing = "writing";

    public static int Main(string[] args)
    {
        if (args is [AtomicWriteThenHang, var path])
        {
            AtomicFile.Write(path, s =>
            {
                s.Write(new byte[1 << 20]);
                s.Flush();
                Console.WriteLine(Writing);
                Console.Out.Flush();
                Thread.Sleep(Timeout.Infinite); // the parent kills us here, mid-write
            });
            return 0;
        }
        if (args.Length > 0 && args[0].StartsWith(Distributed.DistributedChild.Prefix, StringComparison.Ordinal)) return Distributed.DistributedChild.Run(args);
        Console.Error.WriteLine($"unknown child mode: {string.Join(" ", args)}");
        return 2;
    }
}
