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
    private static volatile IDisplayPublisher? s_publisher;

    public static IDisplayPublisher? Publisher
    {
        get => s_publisher;
        set => s_publisher = value;
    }

    /// <summary>True when running inside the Workbench Jupyter kernel.</summary>
    public static bool IsActive => s_publisher is not null;

    /// <summary>Shows <paramref name="value"/> and returns a handle that can replace it later.</summary>
    public static DisplayHandle Display(object? value)
    {
        var handle = new DisplayHandle(Guid.NewGuid().ToString("N"));
        Send(value, handle.DisplayId, update: false);
        return handle;
    }

    public static void ClearOutput(bool wait = false) => s_publisher?.ClearOutput(wait);

    internal static void Send(object? value, string displayId, bool update)
    {
        var bundle = Formatter.ToMimeBundle(value);
        if (s_publisher is { } publisher) publisher.Publish(bundle, displayId, update);
        else Console.WriteLine(bundle[MimeTypes.PlainText]);
    }
}

/// <summary>A shown output that can be replaced in place (Jupyter's update_display_data).</summary>
public sealed class DisplayHandle
{
    internal DisplayHandle(string displayId) => DisplayId = displayId;

    public string DisplayId { get; }

    /// <summary>Replaces the shown output with <paramref name="value"/>.</summary>
    public void Update(object? value) => Notebook.Send(value, DisplayId, update: true);
}
