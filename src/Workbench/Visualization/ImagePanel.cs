using Workbench.Data;
using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Visualization;

/// <summary>
/// Captioned images side by side in one picture (input | output | ground truth, or one photo at several render
/// sizes): each image is resized to a common height, a caption strip is drawn under it, and the panels are
/// separated by a thin gap. Pure tensor work, so it runs in a notebook, the CLI and TensorBoard alike.
/// </summary>
public static class ImagePanel
{
    /// <summary>
    /// (3, H + caption, ΣW + gaps) in [0, 1]: the images (CHW, 1 or 3 channels) scaled to <paramref name="height"/>
    /// pixels high (aspect kept, antialiased), white caption strips with black text below them.
    /// </summary>
    public static Tensor SideBySide(IReadOnlyList<(Tensor Image, string Caption)> panels, int height = 256, int gap = 4)
    {
        if (panels.Count == 0) throw new ArgumentException("nothing to show", nameof(panels));
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 8);
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var captionHeight = Math.Max(14, height / 10);
        var columns = new List<Tensor>();
        foreach (var (image, caption) in panels)
        {
            var img = image.dim() == 4 ? image.squeeze(0) : image;
            if (img.dim() != 3 || img.size(0) is not (1 or 3)) throw new ArgumentException($"panel '{caption}' is not a CHW image with 1 or 3 channels: [{string.Join(", ", image.shape)}]");
            img = img.to(ScalarType.Float32).cpu();
            if (img.size(0) == 1) img = img.expand(3, -1, -1);
            var width = (int)Math.Max(1, Math.Round(img.size(2) * (double)height / img.size(1)));
            if (img.size(1) != height || img.size(2) != width) img = ImageResize.Resize(img, height, width, InterpolationMode.Bicubic);
            columns.Add(torch.cat(new[] { img.clamp(0, 1), Caption(caption, captionHeight, width) }, 1));
            columns.Add(torch.ones(3, height + captionHeight, gap));
        }
        columns.RemoveAt(columns.Count - 1);
        return torch.cat(columns, 2).MoveToOuterDisposeScope();
    }

    /// <summary>A white (3, height, width) strip with the text in black, shrunk to fit the width (Hershey simplex font).</summary>
    public static Tensor Caption(string text, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        var ascii = new string(text.Select(c => c is >= ' ' and <= '~' ? c : '?').ToArray());
        var strip = torch.ones(3, height, width);
        if (ascii.Trim().Length == 0) return strip.MoveToOuterDisposeScope();
        const int Font = 0; // FONT_HERSHEY_SIMPLEX
        var (unitWidth, unitHeight, _) = HersheyText.Size(ascii, Font, 1.0, 1);
        var scale = Math.Min(0.6 * height / Math.Max(1, unitHeight), 0.95 * width / Math.Max(1, unitWidth));
        var (tw, th, _) = HersheyText.Size(ascii, Font, scale, 1);
        var x = Math.Max(0, (width - tw) / 2);
        var y = (height + th) / 2;
        var mask = HersheyText.Mask(height, width, ascii, Font, scale, 1, x, y).unsqueeze(0); // (1, h, w), 1 on ink
        return (strip - mask.expand(3, -1, -1)).clamp(0, 1).MoveToOuterDisposeScope();
    }
}
