using System.CommandLine;

namespace Workbench.Cli;

/// <summary>Options every command shares, and the one place that turns failures into exit codes.</summary>
internal static class CliOptions
{
    public static readonly Option<bool> Verbose = new("--verbose", "-v")
    {
        Description = "Show stack traces and extra diagnostics",
        Recursive = true,
    };

    public static readonly Option<int?> Threads = new("--threads")
    {
        Description = "libtorch threads (default: WORKBENCH_NUM_THREADS, else the idle cores: cores − 1-minute load average, at least 1)",
        Recursive = true,
    };

    /// <summary>Exit codes: 0 success, 1 failure in the work itself, 2 bad usage or input.</summary>
    public static void SetGuardedAction(this Command command, Func<ParseResult, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, cancel) =>
        {
            try
            {
                var (threads, reason) = Training.ThreadPolicy.Apply(parse.GetValue(Threads));
                if (parse.GetValue(Verbose)) Console.Error.WriteLine($"libtorch threads: {threads} ({reason})");
                return await action(parse, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine("interrupted");
                return 130;
            }
            catch (Exception e) when (e is UsageException or FileNotFoundException or DirectoryNotFoundException or ArgumentException)
            {
                Report(parse, e);
                return 2;
            }
            catch (Exception e)
            {
                Report(parse, e);
                return 1;
            }
        });
    }

    public static void SetGuardedAction(this Command command, Func<ParseResult, int> action) =>
        command.SetGuardedAction((parse, _) => Task.FromResult(action(parse)));

    private static void Report(ParseResult parse, Exception e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        if (parse.GetValue(Verbose)) Console.Error.WriteLine(e);
        // One short line of cause at most: a long one (a state_dict's full key list) stays for --verbose.
        else if (e.InnerException is { } inner && !e.Message.Contains(inner.Message, StringComparison.Ordinal))
            Console.Error.WriteLine(inner.Message.Length <= 300 && !inner.Message.Contains('\n')
                ? $"  caused by: {inner.Message}" : $"  caused by: {inner.GetType().Name} (--verbose shows it in full)");
    }
}

/// <summary>A mistake in how the command was called; exits with code 2 and no stack trace.</summary>
internal sealed class UsageException(string message) : Exception(message);
