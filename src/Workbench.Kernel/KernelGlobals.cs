using Workbench.Display;

namespace Workbench.Kernel;

/// <summary>
/// Members every cell sees unqualified: the notebook's <c>display</c> and <c>clear_output</c>, and .NET Interactive's
/// <c>HTML(...)</c> and <c>Markdown(...)</c> helpers, so notebooks written for it run unchanged.
/// </summary>
public class KernelGlobals
{
    /// <summary>Shows <paramref name="value"/> now (only as <paramref name="mimeTypes"/> when given); the returned handle's Update(...) replaces it in place.</summary>
    public DisplayHandle display(object? value, params string[] mimeTypes) => Notebook.Display(value, mimeTypes);

    /// <summary>Clears this cell's output (after the next output arrives when <paramref name="wait"/>).</summary>
    public void clear_output(bool wait = false) => Notebook.ClearOutput(wait);

    /// <summary>Text shown as HTML when it is a cell's result or displayed.</summary>
    public MimeContent HTML(string html) => new(MimeTypes.Html, html);

    /// <summary>Text shown as Markdown when it is a cell's result or displayed.</summary>
    public MimeContent Markdown(string markdown) => new(MimeTypes.Markdown, markdown);
}
