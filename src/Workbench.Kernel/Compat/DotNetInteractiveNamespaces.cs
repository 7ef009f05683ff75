using Workbench.Display;

// Notebooks written for .NET Interactive start with these usings; they must compile here. Only what such notebooks
// call is provided, and Formatter itself is Workbench.Display.Formatter (imported in every cell), which has
// Register<T>, so `Formatter.Register<T>(...)` resolves to one type, not two.

namespace Microsoft.DotNet.Interactive
{
    /// <summary><c>using static Microsoft.DotNet.Interactive.Kernel;</c>: the helpers a .NET Interactive cell sees.</summary>
    public static class Kernel
    {
        public static DisplayHandle display(object? value, params string[] mimeTypes) => Notebook.Display(value, mimeTypes);

        public static MimeContent HTML(string html) => new(MimeTypes.Html, html);

        public static MimeContent Markdown(string markdown) => new(MimeTypes.Markdown, markdown);
    }
}

namespace Microsoft.DotNet.Interactive.Formatting
{
    /// <summary>
    /// Exists so that <c>using Microsoft.DotNet.Interactive.Formatting;</c> compiles. The <c>Formatter</c> such notebooks
    /// then call is Workbench.Display.Formatter (Register&lt;T&gt;, ToDisplayString via DisplayExtensions).
    /// </summary>
    public static class FormattingCompat
    {
        public const string Note = "Formatter is Workbench.Display.Formatter in the Workbench kernel";
    }
}
