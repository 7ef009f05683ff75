using System.Globalization;

using Spectre.Console;

using Workbench.Training.Callbacks;

namespace Workbench.Cli;

/// <summary>
/// A live progress bar with it/s, ETA and current losses on an interactive terminal; plain lines
/// (every few seconds) when output is redirected, so CI logs stay readable.
/// </summary>
internal sealed class SpectreProgressSink : IProgressSink, IDisposable
{
    private readonly IProgressSink? lines = Console.IsOutputRedirected ? new LineProgressSink(Console.Out) : null;
    private Task? live;
    private ProgressTask? task;
    private readonly TaskCompletionSource done = new();
    private string status = "";

    public void Begin(string title, long total)
    {
        if (lines is not null)
        {
            lines.Begin(title, total);
            return;
        }
        var started = new TaskCompletionSource();
        live = AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                task = context.AddTask(Markup.Escape(title), maxValue: total);
                started.SetResult();
                await done.Task.ConfigureAwait(false);
            });
        started.Task.Wait();
    }

    public void Report(long done, double itemsPerSecond, TimeSpan eta, string status)
    {
        if (lines is not null)
        {
            lines.Report(done, itemsPerSecond, eta, status);
            return;
        }
        this.status = status;
        task!.Value = done;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{itemsPerSecond:F1} it/s  {this.status}"));
    }

    public void End(string summary)
    {
        if (lines is not null)
        {
            lines.End(summary);
            return;
        }
        done.TrySetResult();
        live?.Wait();
        AnsiConsole.MarkupLine(Markup.Escape(summary));
    }

    public void Dispose()
    {
        done.TrySetResult();
        live?.Wait();
    }
}
