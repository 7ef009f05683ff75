using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Workbench.Display;

/// <summary>
/// A progress bar that updates in place in a notebook (one display, then update_display_data). Updates are
/// throttled to 10 per second because each one is a message to the browser; the last step always shows.
/// </summary>
public sealed class ProgressBar : IMimeRenderable
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromMilliseconds(100);
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private DisplayHandle? handle;
    private TimeSpan lastShown = TimeSpan.MinValue;

    public ProgressBar(long total, string description = "")
    {
        if (total <= 0) throw new ArgumentOutOfRangeException(nameof(total), "total must be positive");
        Total = total;
        Description = description;
    }

    public long Total { get; }

    public long Value { get; private set; }

    public string Description { get; set; }

    /// <summary>Free text shown after the counts, for example the current loss.</summary>
    public string Comment { get; set; } = "";

    /// <summary>Shows the bar (the first call) or updates it.</summary>
    public void Report(long value, string? comment = null)
    {
        Value = Math.Clamp(value, 0, Total);
        if (comment is not null) Comment = comment;
        var now = clock.Elapsed;
        if (handle is null)
        {
            handle = Notebook.IsActive ? Notebook.Display(this) : null;
            lastShown = now;
            if (handle is null && Value == Total) Console.WriteLine(ToString());
            return;
        }
        if (Value < Total && now - lastShown < MinInterval) return;
        lastShown = now;
        handle.Update(this);
    }

    /// <summary>Advances by <paramref name="steps"/>.</summary>
    public void Increment(long steps = 1, string? comment = null) => Report(Value + steps, comment);

    /// <summary>Wraps a sequence, advancing the bar for each item it yields.</summary>
    public static IEnumerable<T> Over<T>(IReadOnlyCollection<T> items, string description = "")
    {
        var bar = new ProgressBar(Math.Max(1, items.Count), description);
        bar.Report(0);
        foreach (var item in items)
        {
            yield return item;
            bar.Increment();
        }
    }

    public double Fraction => (double)Value / Total;

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [MimeTypes.PlainText] = ToString(),
        [MimeTypes.Html] = $"<div class=\"workbench-progress\"><span>{WebUtility.HtmlEncode(Description)}</span> "
            + $"<progress value=\"{Value}\" max=\"{Total}\" style=\"width:300px;vertical-align:middle\"></progress> "
            + $"<span>{WebUtility.HtmlEncode(Status())}</span></div>",
    };

    public override string ToString()
    {
        const int width = 30;
        var filled = (int)Math.Round(Fraction * width);
        var prefix = Description.Length > 0 ? Description + " " : "";
        return $"{prefix}[{new string('#', filled)}{new string('.', width - filled)}] {Status()}";
    }

    private string Status()
    {
        var seconds = clock.Elapsed.TotalSeconds;
        var rate = seconds > 0 ? Value / seconds : 0;
        var text = string.Create(CultureInfo.InvariantCulture, $"{Value}/{Total} ({Fraction * 100:0}%) {rate:0.##} it/s");
        return Comment.Length > 0 ? text + " " + Comment : text;
    }
}
