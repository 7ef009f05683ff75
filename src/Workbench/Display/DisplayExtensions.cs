namespace Workbench.Display;

/// <summary>.NET Interactive's display extension methods: <c>x.Display()</c>, <c>"&lt;b&gt;hi&lt;/b&gt;".DisplayAs("text/html")</c>.</summary>
public static class DisplayExtensions
{
    /// <summary>Shows the value now; the returned handle's <c>Update(y)</c> replaces it in place.</summary>
    public static DisplayHandle Display(this object? value, params string[] mimeTypes) => Notebook.Display(value, mimeTypes);

    /// <summary>Shows the text as it is under <paramref name="mimeType"/>.</summary>
    public static DisplayHandle DisplayAs(this string value, string mimeType) => Notebook.DisplayAs(value, mimeType);

    /// <summary>The value formatted as <paramref name="mimeType"/> (text/plain by default).</summary>
    public static string ToDisplayString(this object? value, string mimeType = MimeTypes.PlainText) =>
        Formatter.ToMimeBundle(value, new[] { mimeType })[mimeType];
}
