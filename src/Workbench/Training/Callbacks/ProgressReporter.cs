using System.Diagnostics;
using System.Globalization;

namespace Workbench.Training.Callbacks;

/// <summary>Where progress goes: a console bar in the CLI, an updating display in a notebook, plain lines in CI logs.</summary>
public interface IProgressSink
{
    void Begin(string title, long total);

    /// <summary>Called after every step; sinks throttle their own redraws.</summary>
    void Report(long done, double itemsPerSecond, TimeSpan eta, string status);

    void End(string summary);
}

/// <summary>Feeds an <see cref="IProgressSink"/>: iterations done, it/s, ETA and the current losses.</summary>
public sealed class ProgressReporter(IProgressSink sink) : Callback
{
    private readonly Stopwatch clock = new();
    private long firstStep;

    public override int Order => Orders.Progress;

    public override void BeforeFit(TrainingState state)
    {
        firstStep = state.GlobalStep;
        clock.Restart();
        sink.Begin(Path.GetFileName(state.RunDirectory), state.Schedule.TotalIterations);
        if (state.GlobalStep > 0) sink.Report(state.GlobalStep, 0, TimeSpan.Zero, $"resumed at step {state.GlobalStep}");
    }

    public override void AfterStep(TrainingState state)
    {
        var done = state.GlobalStep - firstStep;
        var rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
        var eta = TimeSpan.FromSeconds((state.Schedule.TotalIterations - state.GlobalStep) / Math.Max(1e-9, rate));
        var losses = string.Join("  ", state.LastStep!.Losses.Select(kv => $"{kv.Key} {kv.Value.ToString("G4", CultureInfo.InvariantCulture)}"));
        sink.Report(state.GlobalStep, rate, eta, $"{state.Phase.Name}  {losses}");
    }

    public override void AfterFit(TrainingState state) =>
        sink.End(state.Completed ? $"done: {state.GlobalStep} steps in {clock.Elapsed:hh\\:mm\\:ss}" : $"stopped: {state.StopReason}");
}

/// <summary>Plain progress lines at most every <paramref name="interval"/> (CI logs, redirected output).</summary>
public sealed class LineProgressSink(TextWriter output, TimeSpan? interval = null) : IProgressSink
{
    private readonly TimeSpan every = interval ?? TimeSpan.FromSeconds(5);
    private readonly Stopwatch sinceLast = Stopwatch.StartNew();
    private long total;
    private string title = "";

    public void Begin(string title, long total)
    {
        this.title = title;
        this.total = total;
        output.WriteLine($"[{title}] training for {total} steps");
    }

    public void Report(long done, double itemsPerSecond, TimeSpan eta, string status)
    {
        if (sinceLast.Elapsed < every && done != total) return;
        sinceLast.Restart();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{title}] {done}/{total} {itemsPerSecond:F1} it/s eta {eta:hh\\:mm\\:ss}  {status}"));
    }

    public void End(string summary) => output.WriteLine($"[{title}] {summary}");
}
