using System.Globalization;

using Workbench.Torch;

namespace Workbench.Training;

/// <summary>
/// How many libtorch intra-op threads a command uses, the same rule for every command: an explicit request
/// (<c>--threads N</c>), else <c>WORKBENCH_NUM_THREADS</c>, else the cores that are not already busy — the core count
/// minus the 1-minute load average, at least 1. Why not simply every core: OpenMP threads spin while they wait
/// for each other, so a team that shares a core with another busy process crawls (the quickstart's colorizer:
/// 40 steps in 175 s at 2 threads next to a busy process, 49 s at 1). On an idle machine this is every core.
/// </summary>
public static class ThreadPolicy
{
    public const string EnvironmentVariable = "WORKBENCH_NUM_THREADS";

    /// <summary>The thread count and where it came from.</summary>
    public static (int Threads, string Reason) Resolve(int? requested = null, string? environment = null, double? loadAverage = null, int? cores = null)
    {
        var n = cores ?? Environment.ProcessorCount;
        if (requested is > 0) return (requested.Value, "--threads");
        environment ??= Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (int.TryParse(environment, NumberStyles.Integer, CultureInfo.InvariantCulture, out var fromEnvironment) && fromEnvironment > 0)
            return (fromEnvironment, EnvironmentVariable);
        var load = loadAverage ?? ReadLoadAverage();
        if (load is not { } l) return (n, "every core (no load average)");
        var idle = Math.Clamp(n - (int)Math.Round(l), 1, n);
        return (idle, $"{n} cores, load average {l:F1}");
    }

    /// <summary>Sets libtorch's thread count by <see cref="Resolve"/> and returns what it chose.</summary>
    public static (int Threads, string Reason) Apply(int? requested = null)
    {
        var (threads, reason) = Resolve(requested);
        torch.set_num_threads(threads);
        return (threads, reason);
    }

    /// <summary>The 1-minute load average from /proc/loadavg (Linux); null elsewhere.</summary>
    public static double? ReadLoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
