using Workbench.Data;
using Workbench.Data.Degradations;
using Workbench.Display;
using Workbench.Visualization;
using Workbench.Torch;

namespace Workbench.Inference;

/// <summary>A rendered comparison: the panel as a tensor and as PNG bytes; shows itself inline in a notebook.</summary>
public sealed class TransformedImage : IMimeRenderable, IDisposable
{
    internal TransformedImage(Tensor panel, string caption)
    {
        Panel = panel.DetachFromDisposeScope();
        Caption = caption;
        Png = ImageIO.Encode(panel, ImageFormat.Png);
    }

    /// <summary>(3, H, W) in [0, 1]: input | output (| ground truth) with captions.</summary>
    public Tensor Panel { get; }

    public byte[] Png { get; }

    public string Caption { get; }

    public void Save(string path) => ImageIO.Write(path, Panel);

    public IReadOnlyDictionary<string, string> ToMimeBundle() => new ImageDisplay(Png, Caption).ToMimeBundle();

    public override string ToString() => $"{Caption} ({Panel.size(2)}x{Panel.size(1)})";

    public void Dispose() => Panel.Dispose();
}

/// <summary>
/// DeOldify's <c>vis.plot_transformed_image(path, netG, ds, tfms, sz)</c>: a photo, what the model makes of it at a
/// render size, and — when the photo is in colour — the original as ground truth, its black-and-white input made
/// with the film-like grayscale (seeded, so reruns compare). In a notebook the result displays inline.
/// </summary>
public static class ColorizationPlot
{
    public static TransformedImage PlotTransformedImage(string path, Colorizer colorizer, int size, int height = 320, int seed = 0, Degradation? degradation = null)
    {
        using var scope = torch.NewDisposeScope();
        var photo = ImageIO.Read(path);
        var isColour = (photo - photo.mean(0, keepdim: true)).abs().max().item<float>() > 1.0 / 255;
        var restoring = colorizer.Options.Mode == Recombination.AddResidual;
        var input = isColour ? (degradation ?? (restoring ? DegradationPresets.DeFade() : new FilmGrayscale())).Apply(photo, new Random(seed)) : photo;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var output = colorizer.Colorize(input, size);
        var panels = new List<(Tensor, string)> { (input, "input"), (output, $"output @ {size} ({clock.Elapsed.TotalSeconds:F1} s)") };
        if (isColour) panels.Add((photo, "ground truth"));
        return new TransformedImage(ImagePanel.SideBySide(panels, height), $"{Path.GetFileName(path)} at render size {size}");
    }

    /// <summary>The same with a bare model (a generator mapping gray (N, 3, H, W) to RGB).</summary>
    public static TransformedImage PlotTransformedImage(string path, nn.Module<Tensor, Tensor> model, int size, int height = 320, int seed = 0)
    {
        using var colorizer = new Colorizer(model, new ColorizerOptions { RenderSize = size }, ownsModel: false);
        return PlotTransformedImage(path, colorizer, size, height, seed);
    }
}
