namespace Workbench.Display;

/// <summary>The MIME types Workbench's displays produce.</summary>
public static class MimeTypes
{
    public const string PlainText = "text/plain";
    public const string Html = "text/html";
    public const string Png = "image/png";
    public const string Json = "application/json";
    public const string Plotly = "application/vnd.plotly.v1+json";
    public const string Markdown = "text/markdown";
}
