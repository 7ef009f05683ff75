using System.Globalization;

using Workbench.Training.Callbacks;

namespace Workbench.Display;

/// <summary>
/// Training progress as a notebook <see cref="ProgressBar"/> that updates in place (iterations, it/s, ETA, the
/// current losses): <c>new ProgressReporter(new NotebookProgressSink())</c>. Outside a notebook the bar prints its
/// final line to the console.
/// </summary>
public sealed class NotebookProgressSink : IProgressSink
{
    private ProgressBar? bar;

    /// <summary>The bar of the current run (null before <see cref="Begin"/>).</summary>
    public ProgressBar? Bar => bar;

    public void Begin(string title, long total)
    {
        bar = new ProgressBar(Math.Max(1, total), title);
        bar.Report(0);
    }

    public void Report(long done, double itemsPerSecond, TimeSpan eta, string status) =>
        bar?.Report(done, string.Create(CultureInfo.InvariantCulture, $"eta {eta:hh\\:mm\\:ss}  {status}"));

    public void End(string summary)
    {
        if (bar is null) return;
        bar.Report(bar.Value, summary);
        // The last Report of a bar that did not reach its total may be throttled away: show the summary for sure.
        if (bar.Value < bar.Total) Notebook.Display(summary);
    }
}
