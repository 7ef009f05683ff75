using System.Diagnostics;

using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Torch;
using Workbench.Visualization;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Inference;

/// <summary>How <see cref="Upscaler"/> cuts an image into tiles.</summary>
public sealed record UpscaleOptions
{
    /// <summary>Side of a tile's core in input pixels; 0 runs the whole image at once. Larger is faster, smaller uses less memory.</summary>
    public int Tile { get; init; } = 256;

    /// <summary>
    /// Input pixels of context added on every side of a tile (and mirrored beyond the image border). Neighbouring
    /// tiles blend linearly over <c>Overlap</c> pixels centred on their seam, so each blended output pixel lies at
    /// least <c>Overlap − Overlap/2</c> pixels inside both tiles: the result equals the whole-image result when the
    /// network's receptive radius is at most that (ESPCN: 4 px, so 8 or more is exact).
    /// </summary>
    public int Overlap { get; init; } = 16;

    /// <summary>Where the network runs.</summary>
    public Device Device { get; init; } = Device.CPU;
}

/// <summary>What <see cref="Upscaler.UpscaleFile"/> did.</summary>
public sealed record UpscaleFileResult(string Input, string Output, int Width, int Height, int OutputWidth, int OutputHeight, bool Alpha, int BitDepth, int Tiles, TimeSpan Elapsed);

/// <summary>One file of <see cref="Upscaler.UpscaleFolder"/>: its result, or the error that stopped it.</summary>
public sealed record UpscaleFolderEntry(string Input, string Output, UpscaleFileResult? Result, Exception? Error);

/// <summary>
/// Runs a super-resolution network on images of any size: without autograd, tile by tile with mirrored borders
/// and linear blending between tiles, streaming finished output rows into an 8- or 16-bit buffer so memory stays
/// bounded (a few tiles, one band of float rows, the input and the output). Alpha is upscaled with bicubic
/// interpolation; 16-bit inputs give 16-bit outputs (PNG, TIFF). With <c>compare</c> the file holds
/// bicubic | network side by side.
/// <para>Borders: the image is reflect-padded by <c>Overlap</c> pixels (at most side − 1) both for a single
/// whole-image pass and for tiles, so a tiled run matches an untiled one and the network never sees the zero
/// padding of its own convs at the image edge (which darkens borders).</para>
/// </summary>
public sealed class Upscaler : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly bool ownsModel;

    /// <param name="model">An SR network mapping (N, 3, H, W) to (N, 3, H·scale, W·scale); put in eval mode.</param>
    /// <param name="scale">Its upscaling factor.</param>
    /// <param name="options">Tiling and device.</param>
    /// <param name="ownsModel">Dispose the network with this upscaler.</param>
    public Upscaler(nn.Module<Tensor, Tensor> model, long scale, UpscaleOptions? options = null, bool ownsModel = false)
    {
        Options = options ?? new UpscaleOptions();
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 1 or more");
        if (Options.Overlap < 0) throw new ArgumentException($"overlap must be 0 or more, got {Options.Overlap}");
        if (Options.Tile < 0) throw new ArgumentException($"tile must be 0 (whole image) or positive, got {Options.Tile}");
        if (Options.Tile > 0 && Options.Tile < 2 * Options.Overlap + 2)
            throw new ArgumentException($"a tile of {Options.Tile} px is too small for {Options.Overlap} px overlap; use a tile of at least {2 * Options.Overlap + 2}");
        this.model = model;
        this.ownsModel = ownsModel;
        Scale = scale;
        model.to(Options.Device).eval();
    }

    /// <summary>Loads a weights file that records its architecture (see <see cref="SuperResolutionModels.Load"/>).</summary>
    public static Upscaler FromFile(string weightsPath, string? architecture = null, long? scale = null, UpscaleOptions? options = null)
    {
        var (model, _, s) = SuperResolutionModels.Load(weightsPath, architecture, scale);
        return new Upscaler(model, s, options, ownsModel: true);
    }

    public long Scale { get; }
    public UpscaleOptions Options { get; }

    // ---- in memory ------------------------------------------------------------------------------

    /// <summary>Upscales a CHW float image (3 channels, or 4 with alpha) in [0, 1]; returns CHW float, not clamped for RGB.</summary>
    public Tensor Upscale(Tensor image)
    {
        CheckImage(image);
        var (channels, height, width) = (image.size(0), image.size(1), image.size(2));
        var result = torch.empty([channels, height * Scale, width * Scale]);
        using (var scope = torch.NewDisposeScope())
        {
            var input = image.to(Device.CPU, ScalarType.Float32);
            Run(input, compare: false, (row, rows) => result.narrow(1, row, rows.size(1)).copy_(rows));
        }
        return result;
    }

    /// <summary>Number of tiles an image of this size is cut into.</summary>
    public int TileCount(long height, long width) => Split(height).Count * Split(width).Count;

    // ---- files ----------------------------------------------------------------------------------

    /// <summary>
    /// Reads <paramref name="input"/>, upscales it and writes <paramref name="output"/> (format by extension). Alpha is
    /// kept (bicubic) when the image has transparency; 16-bit precision is kept when the input has it and the
    /// output format can store it (PNG, TIFF). With <paramref name="compare"/> the file holds bicubic | network side
    /// by side with a caption strip under each half. The file is written atomically; an existing one is replaced only
    /// with <paramref name="overwrite"/>, and the output may not be the input.
    /// </summary>
    public UpscaleFileResult UpscaleFile(string input, string output, bool compare = false, bool overwrite = false)
    {
        var watch = Stopwatch.StartNew();
        var format = ImageIO.FormatFromExtension(output); // fail on a bad output name before the work
        if (BatchOutputs.SamePath(input, output)) throw new ArgumentException($"the output '{output}' is the input; write to another file");
        if (!overwrite && File.Exists(output)) throw new OutputExistsException(output);
        using var scope = torch.NewDisposeScope();
        var rgba = ImageIO.Read(input, new ImageReadOptions { Mode = ImageMode.Rgba });
        var (height, width) = (rgba.size(1), rgba.size(2));
        var alpha = HasTransparency(rgba);
        var image = alpha ? rgba : rgba.narrow(0, 0, 3);
        var bitDepth = HasMoreThan8Bits(image) && format is ImageFormat.Png or ImageFormat.Tiff ? 16 : 8;
        var channels = image.size(0);
        var (outHeight, outWidth) = (height * Scale, width * Scale);
        // The output in its final layout (HWC) and sample type: 8-bit, or 16-bit samples in int32 as the encoder takes them.
        var captionHeight = compare ? CompareCaptionHeight(outHeight) : 0;
        var buffer = torch.empty([outHeight + captionHeight, compare ? 2 * outWidth : outWidth, channels], bitDepth == 8 ? ScalarType.UInt8 : ScalarType.Int32);
        var maximum = bitDepth == 8 ? 255.0 : 65535.0;
        void Put(long row, long column, Tensor chw)
        {
            const long Chunk = 64; // rows quantized at a time: one small float temporary, not a band-sized one
            for (long r = 0; r < chw.size(1); r += Chunk)
            {
                using var inner = torch.NewDisposeScope();
                var n = Math.Min(Chunk, chw.size(1) - r);
                var q = chw.narrow(1, r, n).clamp(0.0, 1.0).mul_(maximum).round_().to(buffer.dtype).permute(1, 2, 0);
                buffer.narrow(0, row + r, n).narrow(1, column, outWidth).copy_(q);
            }
        }
        Run(image, compare, (row, rows) =>
        {
            // rows: network RGB, [bicubic alpha], [bicubic RGB]
            var network = alpha ? rows.narrow(0, 0, 4) : rows.narrow(0, 0, 3);
            Put(row, compare ? outWidth : 0, network);
            if (compare)
            {
                var bicubic = rows.narrow(0, channels, 3);
                Put(row, 0, alpha ? torch.cat([bicubic, rows.narrow(0, 3, 1)]) : bicubic);
            }
        });
        if (compare)
        {
            Put(outHeight, 0, CompareCaption("bicubic", captionHeight, outWidth, channels));
            Put(outHeight, outWidth, CompareCaption($"network x{Scale}", captionHeight, outWidth, channels));
        }
        image.Dispose(); // the input's memory is not needed for encoding
        rgba.Dispose();
        ImageIO.Write(output, buffer.permute(2, 0, 1), bitDepth: bitDepth, overwrite: overwrite);
        return new UpscaleFileResult(input, output, (int)width, (int)height, (int)buffer.size(1), (int)buffer.size(0), alpha, bitDepth, TileCount(height, width), watch.Elapsed);
    }

    /// <summary>The file extensions <see cref="UpscaleFolder"/> picks up.</summary>
    public static readonly IReadOnlySet<string> ImageExtensions = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff" };

    /// <summary>Where <c>UpscaleFolder</c> writes each image: the same relative path (and extension) under the output folder.</summary>
    public static BatchOutputs PlanFolder(string inputFolder, string outputFolder)
    {
        if (!Directory.Exists(inputFolder)) throw new DirectoryNotFoundException($"input folder '{inputFolder}' does not exist");
        // Listed before writing anything, so outputs written inside the input folder are not picked up again.
        var files = Directory.EnumerateFiles(inputFolder, "*", SearchOption.AllDirectories)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f)) && !Path.GetFileName(f).StartsWith('.'))
            .Order(StringComparer.Ordinal).ToList();
        return BatchOutputs.Plan(inputFolder, files, outputFolder, extension: null);
    }

    /// <summary>
    /// Upscales every image under <paramref name="inputFolder"/> (recursively) into the same relative path under
    /// <paramref name="outputFolder"/>. Nothing is written when the plan has problems (existing outputs without
    /// <paramref name="overwrite"/>, the output folder being the input one). A file that fails (corrupt, unreadable)
    /// is reported in its entry and the batch goes on. <paramref name="progress"/> sees each entry as it finishes.
    /// </summary>
    public IReadOnlyList<UpscaleFolderEntry> UpscaleFolder(string inputFolder, string outputFolder, bool compare = false, Action<UpscaleFolderEntry>? progress = null,
        CancellationToken cancel = default, bool overwrite = false)
    {
        return UpscaleBatch.Run(inputFolder, outputFolder, (file, target) => UpscaleFile(file, target, compare, overwrite), progress, cancel, overwrite);
    }

    /// <summary>True when some pixel is not fully opaque.</summary>
    private static bool HasTransparency(Tensor rgba)
    {
        using var min = rgba.narrow(0, 3, 1).min();
        return min.item<float>() < 1f;
    }

    /// <summary>
    /// True when the samples are not all multiples of 1/255, i.e. the file held more than 8 bits (16-bit PNG/TIFF,
    /// float TIFF). A 16-bit file whose samples are all multiples of 257 is exactly 8-bit data, so nothing is lost.
    /// </summary>
    internal static bool HasMoreThan8Bits(Tensor image)
    {
        const long RowsPerChunk = 256; // bounded temporaries on large images
        for (long row = 0; row < image.size(1); row += RowsPerChunk)
        {
            using var scope = torch.NewDisposeScope();
            var x = image.narrow(1, row, Math.Min(RowsPerChunk, image.size(1) - row)).mul(255);
            if ((x - x.round()).abs().max().item<float>() > 1e-3f) return true;
        }
        return false;
    }

    // ---- tiling ---------------------------------------------------------------------------------

    /// <summary>
    /// Streams the upscaled image to <paramref name="sink"/> in bands of finished rows: (C', rows, W·scale) at output
    /// row offsets. C' = network RGB, then bicubic alpha if the image has 4 channels, then bicubic RGB if comparing.
    /// </summary>
    private void Run(Tensor image, bool compare, Action<long, Tensor> sink)
    {
        var (channels, height, width) = (image.size(0), image.size(1), image.size(2));
        var outChannels = 3 + (channels == 4 ? 1 : 0) + (compare ? 3 : 0);
        var s = Scale;
        var half = Options.Overlap / 2;
        var rows = Split(height);
        var columns = Split(width);
        var padY = Math.Min(Options.Overlap, height - 1);
        var padX = Math.Min(Options.Overlap, width - 1);
        Tensor? carry = null; // blended rows shared with the next band
        try
        {
            for (var r = 0; r < rows.Count; r++)
            {
                using var scope = torch.NewDisposeScope();
                var (a, b) = rows[r];
                var (top, bottom) = (r > 0 ? a - half : a, r < rows.Count - 1 ? b + half : b); // rows this band contributes to
                var band = torch.zeros([outChannels, (bottom - top) * s, width * s]);
                if (carry is not null) band.narrow(1, 0, carry.size(1)).add_(carry);
                var wy = Ramp(a, b, r > 0, r < rows.Count - 1, half, s);
                var (pa, pb) = (Math.Max(a - Options.Overlap, -padY), Math.Min(b + Options.Overlap, height + padY)); // the tile rows the network sees

                for (var c = 0; c < columns.Count; c++)
                {
                    using var tileScope = torch.NewDisposeScope(); // one tile's tensors at a time
                    var (x0, x1) = columns[c];
                    var (left, right) = (c > 0 ? x0 - half : x0, c < columns.Count - 1 ? x1 + half : x1);
                    var (qa, qb) = (Math.Max(x0 - Options.Overlap, -padX), Math.Min(x1 + Options.Overlap, width + padX));
                    var tile = TileOutput(Patch(image, pa, pb, qa, qb, height, width), compare);                 // (C', (pb-pa)·s, (qb-qa)·s)
                    var kept = tile.narrow(1, (top - pa) * s, (bottom - top) * s).narrow(2, (left - qa) * s, (right - left) * s);
                    var wx = Ramp(x0, x1, c > 0, c < columns.Count - 1, half, s);
                    band.narrow(2, left * s, (right - left) * s).add_(kept * wy.unsqueeze(1) * wx.unsqueeze(0));
                }

                carry?.Dispose();
                carry = null;
                if (r < rows.Count - 1)
                {
                    var finished = (b - half - top) * s;
                    sink(top * s, band.narrow(1, 0, finished));
                    carry = band.narrow(1, finished, band.size(1) - finished).clone().DetachFromDisposeScope();
                }
                else sink(top * s, band);
            }
        }
        finally
        {
            carry?.Dispose();
        }
    }

    /// <summary>Input rows [pa, pb) × columns [qa, qb), mirrored where they pass the image border.</summary>
    private static Tensor Patch(Tensor image, long pa, long pb, long qa, long qb, long height, long width)
    {
        var inner = image.narrow(1, Math.Max(pa, 0), Math.Min(pb, height) - Math.Max(pa, 0)).narrow(2, Math.Max(qa, 0), Math.Min(qb, width) - Math.Max(qa, 0));
        long[] pad = [Math.Max(0, -qa), Math.Max(0, qb - width), Math.Max(0, -pa), Math.Max(0, pb - height)];
        var batch = inner.unsqueeze(0);
        return pad.Any(p => p > 0) ? F.pad(batch, pad, "reflect") : batch; // (1, C, pb-pa, qb-qa)
    }

    /// <summary>The network (and bicubic) output of one padded tile, on the CPU.</summary>
    private Tensor TileOutput(Tensor patch, bool compare)
    {
        using var noGrad = torch.no_grad();
        var rgb = patch.narrow(1, 0, 3);
        var y = model.call(PadToMultiple(rgb, (model as ISuperResolutionNet)?.InputMultiple ?? 1).to(Options.Device));
        if (y.size(2) > rgb.size(2) * Scale || y.size(3) > rgb.size(3) * Scale) y = y.narrow(2, 0, rgb.size(2) * Scale).narrow(3, 0, rgb.size(3) * Scale);
        var expected = new[] { 1, 3, rgb.size(2) * Scale, rgb.size(3) * Scale };
        if (!y.shape.SequenceEqual(expected))
            throw new InvalidOperationException($"the network turned a [{string.Join(", ", rgb.shape)}] tile into [{string.Join(", ", y.shape)}], expected [{string.Join(", ", expected)}]: is its scale really {Scale}?");
        var parts = new List<Tensor> { y.to(Device.CPU, ScalarType.Float32)[0] };
        if (patch.size(1) == 4) parts.Add(Bicubic(patch.narrow(1, 3, 1)));
        if (compare) parts.Add(Bicubic(rgb));
        return parts.Count == 1 ? parts[0] : torch.cat(parts);
    }

    /// <summary>
    /// The tile grown on the right and bottom to a multiple of <paramref name="multiple"/>, mirrored as Real-ESRGAN's
    /// mod-pad does (edge-repeated where the tile is too small to mirror); the output is cropped back by the caller.
    /// </summary>
    internal static Tensor PadToMultiple(Tensor x, long multiple)
    {
        var (h, w) = (x.size(2), x.size(3));
        var (padH, padW) = ((multiple - h % multiple) % multiple, (multiple - w % multiple) % multiple);
        if (padH == 0 && padW == 0) return x;
        return F.pad(x, [0, padW, 0, padH], padH < h && padW < w ? "reflect" : "replicate");
    }

    /// <summary>Caption strip height under a compare image: a tenth of the image, 14 to 48 px.</summary>
    private static long CompareCaptionHeight(long imageHeight) => Math.Clamp(imageHeight / 10, 14, 48);

    /// <summary>A caption strip (channels, height, width) in [0, 1]; opaque when there is an alpha channel.</summary>
    private static Tensor CompareCaption(string text, long height, long width, long channels)
    {
        var strip = ImagePanel.Caption(text, (int)height, (int)width);
        return channels == 4 ? torch.cat([strip, torch.ones(1, height, width)]) : strip;
    }

    private Tensor Bicubic(Tensor x) => F.interpolate(x, scale_factor: (double)Scale, mode: "bicubic", align_corners: false).clamp(0.0, 1.0)[0];

    /// <summary>
    /// Output weights along one axis for a tile with core [a, b): 1 inside, linear ramps of <c>2·half·s</c> output
    /// pixels centred on each seam with a neighbour (the neighbour's ramp is the complement, so weights sum to 1).
    /// </summary>
    private static Tensor Ramp(long a, long b, bool before, bool after, long half, long s)
    {
        var start = before ? a - half : a;
        var end = after ? b + half : b;
        var w = new float[(end - start) * s];
        for (var i = 0; i < w.Length; i++)
        {
            var j = start * s + i + 0.5; // output pixel centre, in output pixels
            var v = 1.0;
            if (before && j < (a + half) * s) v = (j - (a - half) * s) / (2.0 * half * s);
            if (after && j > (b - half) * s) v = Math.Min(v, ((b + half) * s - j) / (2.0 * half * s));
            w[i] = (float)v;
        }
        return torch.tensor(w, [w.Length]);
    }

    /// <summary>Tile cores along one axis: equal parts of at most <c>Tile</c> pixels (one part when tiling is off).</summary>
    private List<(long Start, long End)> Split(long length)
    {
        var n = Options.Tile == 0 || length <= Options.Tile ? 1 : (length + Options.Tile - 1) / Options.Tile;
        return Enumerable.Range(0, (int)n).Select(k => (length * k / n, length * (k + 1) / n)).ToList();
    }

    private static void CheckImage(Tensor image)
    {
        if (image.dim() != 3 || image.size(0) is not (3 or 4))
            throw new ArgumentException($"expected a CHW image with 3 (RGB) or 4 (RGBA) channels, got shape [{string.Join(", ", image.shape)}]", nameof(image));
        if (image.size(1) == 0 || image.size(2) == 0) throw new ArgumentException("the image is empty", nameof(image));
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}
