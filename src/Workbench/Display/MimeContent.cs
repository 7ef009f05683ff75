namespace Workbench.Display;

/// <summary>
/// Text that is already in a MIME type: what .NET Interactive's <c>HTML("...")</c> and <c>Markdown("...")</c> return.
/// Its text/plain is the text itself, for front ends that cannot show the type.
/// </summary>
public sealed class MimeContent(string mimeType, string content) : IMimeRenderable
{
    public string MimeType { get; } = mimeType;

    public string Content { get; } = content;

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [MimeType] = Content,
        [MimeTypes.PlainText] = Content,
    };

    public override string ToString() => Content;
}
