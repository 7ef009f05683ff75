using System.Diagnostics;
using System.Globalization;

using Spectre.Console;

using Workbench.Video;

namespace Workbench.Cli;

/// <summary>
/// Frames done, fps and ETA of a video run: a live bar on an interactive terminal, a line every few seconds when
/// output is redirected (CI logs, tests).
/// </summary>
internal sealed class VideoProgressBar : IDisposable
{
    private readonly string title;
    private readonly Stopwatch sinceLine = Stopwatch.StartNew();
    private readonly TaskCompletionSource done = new();
    private readonly Task? live;
    private ProgressTask? task;

    public VideoProgressBar(string title)
    {
        this.title = title;
        if (Console.IsOutputRedirected) return;
        var started = new TaskCompletionSource();
        live = AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                task = context.AddTask(Markup.Escape(title), maxValue: 1);
                started.SetResult();
                await done.Task.ConfigureAwait(false);
            });
        started.Task.Wait();
    }

    public void Report(VideoProgress p)
    {
        var of = p.Total > 0 ? $"/{p.Total}" : "";
        var line = string.Create(CultureInfo.InvariantCulture, $"{title}: {p.Done}{of} frames, {p.Fps:F2} fps");
        if (task is not null)
        {
            task.MaxValue = Math.Max(p.Total, p.Done);
            task.Value = p.Done;
            task.Description = Markup.Escape(line);
            return;
        }
        if (sinceLine.Elapsed < TimeSpan.FromSeconds(5) && p.Done != p.Total) return;
        sinceLine.Restart();
        Console.WriteLine(p.Eta is { } eta ? string.Create(CultureInfo.InvariantCulture, $"{line}, eta {eta:hh\\:mm\\:ss}") : line);
    }

    public void Dispose()
    {
        done.TrySetResult();
        live?.Wait();
    }
}
