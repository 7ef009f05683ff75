using System.Net;
using System.Text;

namespace Workbench.Display;

/// <summary>Images side by side with their captions, wrapping after <see cref="Columns"/> per row (input | output | target).</summary>
public sealed class ImageGrid : IMimeRenderable
{
    public ImageGrid(IEnumerable<ImageDisplay> images, int columns = 0, string? title = null)
    {
        Images = images.ToArray();
        if (Images.Count == 0) throw new ArgumentException("an image grid needs at least one image", nameof(images));
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns));
        Columns = columns == 0 ? Images.Count : columns;
        Title = title;
    }

    public ImageGrid(params ImageDisplay[] images) : this(images, 0) { }

    public IReadOnlyList<ImageDisplay> Images { get; }

    public int Columns { get; }

    public string? Title { get; }

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
    {
        [MimeTypes.PlainText] = ToString(),
        [MimeTypes.Html] = ToHtml(),
    };

    public string ToHtml()
    {
        var sb = new StringBuilder("<div class=\"workbench-grid\">");
        if (Title is not null) sb.Append("<div style=\"font-weight:bold\">").Append(WebUtility.HtmlEncode(Title)).Append("</div>");
        sb.Append($"<div style=\"display:grid;grid-template-columns:repeat({Columns}, max-content);gap:8px;align-items:start\">");
        foreach (var image in Images) sb.Append(image.ToHtml());
        return sb.Append("</div></div>").ToString();
    }

    public override string ToString() => (Title is null ? "" : Title + ": ") + string.Join(" | ", Images.Select(i => i.ToString()));
}
