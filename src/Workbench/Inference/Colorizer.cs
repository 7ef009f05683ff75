using Workbench.Data;
using Workbench.Data.Imaging;
using Workbench.Models;
using Workbench.Torch;
using Workbench.Visualization;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Inference;

/// <summary>Which colour space the full-resolution result is assembled in.</summary>
public enum ChromaSpace
{
    /// <summary>Y of BT.601 YUV from the original, U and V from the model (DeOldify's post-processing). Linear: the original's Y is kept exactly.</summary>
    Yuv,

    /// <summary>CIE L* from the original, a* b* from the model: perceptually even chroma, but Lab → RGB clips out-of-gamut colours.</summary>
    Lab,
}

/// <summary>How the model's render-size output becomes the full-size result.</summary>
public enum Recombination
{
    /// <summary>Colorization: the original's luminance at full resolution, the model's chroma upsampled.</summary>
    KeepLuminance,

    /// <summary>Restoration (DeFade): the model's change (output − input) at render size, upsampled and added to the full-size original.</summary>
    AddResidual,
}

public sealed record ColorizerOptions
{
    /// <summary>The model sees about RenderSize² pixels (aspect kept); results depend on it (DeOldify's "render factor").</summary>
    public int RenderSize { get; init; } = 256;

    public ChromaSpace Chroma { get; init; } = ChromaSpace.Yuv;

    public Recombination Mode { get; init; } = Recombination.KeepLuminance;

    public Device Device { get; init; } = Device.CPU;

    /// <summary>Rows per strip when assembling the full-size result (bounds memory on large photos).</summary>
    public int StripRows { get; init; } = 512;
}

/// <summary>One file of a folder run: its output, or why it failed.</summary>
public sealed record ColorizeFileResult(string Input, string? Output, string? Error, TimeSpan Elapsed)
{
    public bool Ok => Error is null;
}

/// <summary>
/// Runs a colorization (or DeFade) generator on photos of any size and shape. The model runs at a render size
/// (≈ RenderSize² pixels, aspect ratio kept): the photo is resized, reflect-padded to a multiple of the network's
/// stride (32), run, and cropped back — no zero borders for any aspect ratio (DeOldify's known issue: zero padding
/// gave silly right and bottom edges). Its chroma is then upsampled to the original size and joined with the
/// original's full-resolution luminance, so the result has the input's size and detail whatever the render size.
/// Memory is bounded by the render size plus a few full-size planes; the full-size work goes in strips of rows.
/// </summary>
public sealed class Colorizer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly bool ownsModel;

    public Colorizer(nn.Module<Tensor, Tensor> model, ColorizerOptions? options = null, bool ownsModel = true, int stride = DynamicUnet.Stride)
    {
        this.model = model.eval();
        this.ownsModel = ownsModel;
        Options = options ?? new ColorizerOptions();
        Stride = stride;
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.RenderSize, 16);
    }

    /// <summary>Loads a weights file written by training (its metadata names the network); DeFade files restore instead of colorizing.</summary>
    public static Colorizer Load(string path, ColorizerOptions? options = null)
    {
        options ??= new ColorizerOptions();
        var (model, info) = ModelFile.Load(path, options.Device);
        // Published DeOldify generators only run here: one copy of their normalized weights instead of two.
        if (DeOldifyPipeline.Runs(model)) SpectralNormFolding.Fold(model);
        if (info.Task == "defade" && options.Mode == Recombination.KeepLuminance) options = options with { Mode = Recombination.AddResidual };
        return new Colorizer(model, options) { Info = info };
    }

    public ColorizerOptions Options { get; }
    public int Stride { get; }
    public ModelFileInfo? Info { get; private init; }
    public nn.Module<Tensor, Tensor> Model => model;

    /// <summary>The size the model sees for an h×w photo: about renderSize² pixels, the aspect ratio kept.</summary>
    public static (int Height, int Width) RenderShape(long height, long width, int renderSize)
    {
        var scale = renderSize / Math.Sqrt((double)height * width);
        return ((int)Math.Max(1, Math.Round(height * scale)), (int)Math.Max(1, Math.Round(width * scale)));
    }

    /// <summary>
    /// The model's output for <paramref name="input"/> (N, C, h, w) at its own size: reflect-padded to a multiple of
    /// the stride (replicate where the image is smaller than the padding), run under no_grad, cropped back.
    /// </summary>
    public Tensor RunPadded(Tensor input)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (h, w) = (input.size(2), input.size(3));
        var (ph, pw) = ((Stride - h % Stride) % Stride, (Stride - w % Stride) % Stride);
        var pad = new[] { pw / 2, pw - pw / 2, ph / 2, ph - ph / 2 };          // left, right, top, bottom: centred
        var mode = pad.Zip(new[] { w, w, h, h }).All(p => p.First < p.Second) ? "reflect" : "replicate";
        var x = ph + pw == 0 ? input : F.pad(input, pad, mode);
        var y = model.call(x.to(Options.Device)).cpu();                           // (N, 3, h + ph, w + pw)
        return y.narrow(2, pad[2], h).narrow(3, pad[0], w).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>What the model makes of a photo at a render size, at that size: (3, h, w) RGB. Gray or colour CHW input in [0, 1].</summary>
    public Tensor Render(Tensor image, int? renderSize = null)
    {
        var (chw, _) = Check(image);
        if (ZhangDemoPipeline.Runs(model)) return ZhangDemoPipeline.Render(model, chw, renderSize ?? Options.RenderSize, Options.Device);
        if (DeOldifyPipeline.Runs(model)) return DeOldifyPipeline.Render(model, chw, renderSize ?? Options.RenderSize, Options.Device);
        using var scope = torch.NewDisposeScope();
        var (h, w) = RenderShape(chw.size(1), chw.size(2), renderSize ?? Options.RenderSize);
        var source = Options.Mode == Recombination.KeepLuminance ? GrayOf(chw) : AsRgb(chw);
        var small = ImageResize.Resize(source, h, w, InterpolationMode.Bicubic).clamp(0, 1);
        if (small.size(0) == 1) small = small.expand(3, -1, -1);
        return RunPadded(small.unsqueeze(0)).squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Colorizes (or restores) a CHW photo in [0, 1] of any size; the result is (3, H, W), the input's size.</summary>
    public Tensor Colorize(Tensor image, int? renderSize = null)
    {
        var (chw, _) = Check(image);
        // Zhang et al.'s published colorizers run as upstream runs them (its resize, Lab, no padding or strips).
        if (ZhangDemoPipeline.Runs(model)) return ZhangDemoPipeline.Colorize(model, chw, renderSize ?? Options.RenderSize, Options.Device);
        // So do DeOldify's (a square of render_factor·16, Pillow's resizes, OpenCV's YUV with the photo's Y).
        if (DeOldifyPipeline.Runs(model)) return DeOldifyPipeline.Colorize(model, chw, renderSize ?? Options.RenderSize, Options.Device);
        using var scope = torch.NewDisposeScope();
        var (height, width) = (chw.size(1), chw.size(2));
        var rendered = Render(chw, renderSize);                                   // (3, h, w)
        var output = torch.empty(3, height, width);
        if (Options.Mode == Recombination.AddResidual)
        {
            var rgb = AsRgb(chw);
            var small = ImageResize.Resize(rgb, (int)rendered.size(1), (int)rendered.size(2), InterpolationMode.Bicubic).clamp(0, 1);
            var change = ImageResize.Resize(rendered - small, (int)height, (int)width, InterpolationMode.Bicubic); // (3, H, W), smooth
            ForStrips(height, (top, rows) =>
                output.narrow(1, top, rows).copy_((rgb.narrow(1, top, rows) + change.narrow(1, top, rows)).clamp(0, 1)));
            return output.MoveToOuterDisposeScope();
        }
        var chroma = Options.Chroma == ChromaSpace.Yuv
            ? ColorSpace.RgbToYuv(rendered).narrow(0, 1, 2)
            : ColorSpace.RgbToLab(rendered).narrow(0, 1, 2);
        var full = ImageResize.Resize(chroma, (int)height, (int)width, InterpolationMode.Bicubic); // (2, H, W)
        var gray = chw.size(0) == 1 ? chw : null;
        ForStrips(height, (top, rows) =>
        {
            using var strip = torch.NewDisposeScope();
            var part = chw.narrow(1, top, rows);
            Tensor rgb;
            if (Options.Chroma == ChromaSpace.Yuv)
            {
                var y = gray is null ? ColorSpace.Luma(part) : part;                   // the original's Y, exactly
                rgb = ColorSpace.YuvToRgb(torch.cat(new[] { y, full.narrow(1, top, rows) }, 0));
            }
            else
            {
                var l = ColorSpace.RgbToLab(gray is null ? part : part.expand(3, -1, -1)).narrow(0, 0, 1);
                rgb = ColorSpace.LabToRgb(torch.cat(new[] { l, full.narrow(1, top, rows) }, 0));
            }
            output.narrow(1, top, rows).copy_(rgb.clamp(0, 1));
        });
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Reads, colorizes and writes one file (format from the output extension), atomically (a temporary file renamed
    /// into place). An existing output is replaced only with <paramref name="overwrite"/>; the output may not be the input.
    /// </summary>
    public void ColorizeFile(string input, string output, int? renderSize = null, bool overwrite = false)
    {
        if (BatchOutputs.SamePath(input, output)) throw new ArgumentException($"the output '{output}' is the input; write to another file");
        if (!overwrite && File.Exists(output)) throw new OutputExistsException(output);
        using var scope = torch.NewDisposeScope();
        var image = ImageIO.Read(input);
        var dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null) Directory.CreateDirectory(dir);
        ImageIO.Write(output, Colorize(image, renderSize), overwrite: overwrite);
    }

    /// <summary>Where <c>ColorizeFolder</c> writes each photo: PNG, same relative path and stem (the source extension kept where stems collide).</summary>
    public static BatchOutputs PlanFolder(string inputDir, string outputDir) =>
        BatchOutputs.Plan(inputDir, ImagesDataset.FromDirsRecursive(new[] { inputDir }).Files, outputDir, ".png");

    /// <summary>
    /// Colorizes every image under <paramref name="inputDir"/> into <paramref name="outputDir"/> (see <see cref="PlanFolder"/>).
    /// Nothing is written when the plan has problems (existing outputs without <paramref name="overwrite"/>, the
    /// output folder being the input one); a file that fails is reported in its result and the run goes on.
    /// </summary>
    public IReadOnlyList<ColorizeFileResult> ColorizeFolder(string inputDir, string outputDir, int? renderSize = null, IProgress<ColorizeFileResult>? progress = null,
        CancellationToken cancel = default, bool overwrite = false) =>
        ColorizeFolder(PlanFolder(inputDir, outputDir), renderSize, progress, cancel, overwrite);

    /// <summary>Colorizes the inputs of a plan into its outputs (as the overload above).</summary>
    public IReadOnlyList<ColorizeFileResult> ColorizeFolder(BatchOutputs plan, int? renderSize = null, IProgress<ColorizeFileResult>? progress = null,
        CancellationToken cancel = default, bool overwrite = false)
    {
        if (plan.Problems(overwrite) is { Count: > 0 } problems) throw new IOException(string.Join("; ", problems));
        var results = new List<ColorizeFileResult>();
        foreach (var (file, target, _) in plan.Items)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            ColorizeFileResult result;
            try
            {
                ColorizeFile(file, target, renderSize, overwrite);
                result = new ColorizeFileResult(file, target, null, clock.Elapsed);
            }
            catch (Exception e) when (e is ImageDecodeException or IOException or TorchException or ImagingException or ArgumentException or InvalidOperationException)
            {
                result = new ColorizeFileResult(file, null, e.Message, clock.Elapsed);
            }
            results.Add(result);
            progress?.Report(result);
        }
        return results;
    }

    /// <summary>
    /// The same photo rendered at several sizes, side by side with captions (results depend on the render size:
    /// DeOldify's "play with the size" advice, made visible). (3, height + caption, …).
    /// </summary>
    public Tensor SizeSweep(Tensor image, IEnumerable<int> renderSizes, int height = 256)
    {
        using var scope = torch.NewDisposeScope();
        var panels = renderSizes.Select(size => (Colorize(image, size), $"render {size}")).ToList();
        return ImagePanel.SideBySide(panels, height).MoveToOuterDisposeScope();
    }

    private void ForStrips(long height, Action<long, long> body)
    {
        for (long top = 0; top < height; top += Options.StripRows)
            body(top, Math.Min(Options.StripRows, height - top));
    }

    private static Tensor GrayOf(Tensor chw) => chw.size(0) == 1 ? chw : ColorSpace.Luma(chw);

    private static Tensor AsRgb(Tensor chw) => chw.size(0) == 3 ? chw : chw.expand(3, -1, -1);

    private static (Tensor Chw, bool Gray) Check(Tensor image)
    {
        if (image.dim() != 3 || image.size(0) is not (1 or 3))
            throw new ArgumentException($"expected a CHW image with 1 or 3 channels, got [{string.Join(", ", image.shape)}]", nameof(image));
        if (!image.is_floating_point()) throw new ArgumentException($"expected a float image in [0, 1], got {image.dtype}", nameof(image));
        return (image, image.size(0) == 1);
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}
