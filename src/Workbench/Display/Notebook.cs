namespace Workbench.Display;

/// <summary>Where displays go: the Jupyter kernel installs one; elsewhere displays fall back to the console.</summary>
public interface IDisplayPublisher
{
    /// <summary>Shows a bundle (<paramref name="update"/> false) or replaces an earlier one with the same id.</summary>
    void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update);

    /// <summary>Clears the current cell's output, after the next output arrives when <paramref name="wait"/>.</summary>
    void ClearOutput(bool wait);
}

/// <summary>
/// The notebook's display surface as library code sees it. The kernel sets <see cref="Publisher"/> once at
/// start; outside a notebook (CLI, tests) displays print their text/plain to the console.
/// </summary>
public static class Notebook
{
    private static volatile IDisplayPublisher? current;

    public static IDisplayPublisher? Publisher
    {
        get => current;
        set => current = value;
    }

    /// <summary>True when running inside the Workbench Jupyter kernel.</summary>
    public static bool IsActive => current is not null;

    /// <summary>
    /// Shows <paramref name="value"/> and returns a handle that can replace it later. With <paramref name="mimeTypes"/>,
    /// only those representations are sent (.NET Interactive's <c>display(x, "text/html")</c>).
    /// </summary>
    public static DisplayHandle Display(object? value, params string[] mimeTypes)
    {
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"), mimeTypes);
        Send(Formatter.ToMimeBundle(value, mimeTypes), handle.DisplayId, update: false);
        return handle;
    }

    /// <summary>Shows <paramref name="content"/> as it is under one MIME type ("text/html", "text/markdown", ...).</summary>
    public static DisplayHandle DisplayAs(string content, string mimeType)
    {
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"), new[] { mimeType });
        Send(new Dictionary<string, string> { [mimeType] = content }, handle.DisplayId, update: false);
        return handle;
    }

    public static void ClearOutput(bool wait = false) => current?.ClearOutput(wait);

    internal static void Send(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        if (current is { } publisher) publisher.Publish(bundle, displayId, update);
        else Console.WriteLine(bundle.TryGetValue(MimeTypes.PlainText, out var text) ? text : bundle.Values.FirstOrDefault());
    }
}

/// <summary>A shown output that can be replaced in place (Jupyter's update_display_data).</summary>
public sealed class DisplayHandle
{
    private readonly string[] shownAs;

    internal DisplayHandle(string displayId, string[] mimeTypes)
    {
        DisplayId = displayId;
        shownAs = mimeTypes;
    }

    public string DisplayId { get; }

    /// <summary>Replaces the shown output with <paramref name="value"/> (in the MIME types first asked for).</summary>
    public void Update(object? value) => Notebook.Send(Formatter.ToMimeBundle(value, shownAs), DisplayId, update: true);
}
