using System.Diagnostics;

using Workbench.Data;
using Workbench.Models.SuperResolution;
using Workbench.Torch;

using F = Workbench.Torch.nn.functional;

namespace Workbench.Inference;

/// <summary>How Real-ESRGAN upscales an image's alpha channel (its <c>alpha_upsampler</c>).</summary>
public enum AlphaUpsampler
{
    /// <summary>Through the network, as a gray RGB image whose output is turned back to gray (upstream's 'realesrgan', its default).</summary>
    Model,

    /// <summary>Bilinear resize (upstream's cv2.resize INTER_LINEAR, chosen by any other alpha_upsampler name).</summary>
    Resize,
}

/// <summary>RealESRGANer's arguments; the defaults are those of Real-ESRGAN's inference_realesrgan.py.</summary>
public sealed record RealEsrganOptions
{
    /// <summary>Tile side in (pre-padded) input pixels; 0 runs the whole image at once.</summary>
    public int Tile { get; init; }

    /// <summary>Context pixels read around each tile, clipped at the image border; only the tile's own area is kept.</summary>
    public int TilePad { get; init; } = 10;

    /// <summary>Rows and columns reflected onto the bottom and right before the network (cropped after).</summary>
    public int PrePad { get; init; }

    /// <summary>Final size over input size: the network's output is Lanczos-resized to it; null keeps the network's scale.</summary>
    public double? OutScale { get; init; }

    public AlphaUpsampler Alpha { get; init; } = AlphaUpsampler.Model;

    /// <summary>
    /// Not upstream: neighbouring tiles blend linearly over <see cref="TilePad"/> output-scaled pixels centred on
    /// each seam instead of being cut hard at it, so tile borders do not show (Real-ESRGAN #211). Same tiles as
    /// upstream, read with <c>tile_pad/2</c> more context so every written pixel still has <c>tile_pad</c> around it;
    /// away from seams the pixels are upstream's.
    /// </summary>
    public bool TileBlend { get; init; }

    public Device Device { get; init; } = Device.CPU;
}

/// <summary>
/// Real-ESRGAN's RealESRGANer.enhance on Workbench's networks: pre_pad and the x2/x1 mod-pad reflected on the
/// bottom and right, whole-image or tiled inference with upstream's tile placement, crop, clamp, alpha through the
/// network or a bilinear resize, quantization as upstream rounds it (8-bit, or 16-bit when the file is 16-bit),
/// then the optional Lanczos resize to <c>outscale</c>. Channel order: upstream flips OpenCV's BGR to RGB before the
/// network and back after, so the network sees RGB, as it does here.
/// <para>Tiles gather their padded pixels from the input samples and finished output rows are quantized band by band
/// (one tile row at a time), so besides the input samples only a band of float rows and the output are held; a PNG
/// at the network's scale is encoded as the bands come, so not even the output is. A PNG input is decoded in bands
/// too (<see cref="ImageSampleRows"/>): each tile row asks for the rows it reads (all of them with tile 0).</para>
/// </summary>
public sealed class RealEsrganer : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly bool ownsModel;

    public RealEsrganer(nn.Module<Tensor, Tensor> model, long scale, RealEsrganOptions? options = null, bool ownsModel = false)
    {
        Options = Checked(options ?? new RealEsrganOptions());
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale), scale, "scale must be 1 or more");
        this.model = model;
        this.ownsModel = ownsModel;
        Scale = scale;
        model.to(Options.Device).eval();
    }

    /// <summary>Loads a weights file (see <see cref="SuperResolutionModels.Load"/>).</summary>
    public static RealEsrganer FromFile(string weightsPath, string? architecture = null, long? scale = null, RealEsrganOptions? options = null)
    {
        if (options is not null) Checked(options); // before the weights load: a bad option costs nothing
        var (model, _, s) = SuperResolutionModels.Load(weightsPath, architecture, scale);
        return new RealEsrganer(model, s, options, ownsModel: true);
    }

    public long Scale { get; }
    public RealEsrganOptions Options { get; }

    private static RealEsrganOptions Checked(RealEsrganOptions o)
    {
        if (o.Tile < 0) throw new ArgumentException($"tile must be 0 (whole image) or positive, got {o.Tile}");
        if (o.TilePad < 0) throw new ArgumentException($"tile_pad must be 0 or more, got {o.TilePad}");
        if (o.PrePad < 0) throw new ArgumentException($"pre_pad must be 0 or more, got {o.PrePad}");
        if (o.OutScale is { } x && !(x > 0 && double.IsFinite(x))) throw new ArgumentException($"outscale must be a positive number, got {x}");
        return o;
    }

    /// <summary>upstream's mod_scale: the x2 network pixel-unshuffles by 2, the x1 one by 4.</summary>
    private long ModScale => Scale switch { 2 => 2, 1 => 4, _ => 1 };

    /// <summary>The output size for an input of this size: the network's, or int(side·outscale) as upstream truncates.</summary>
    public (long Height, long Width) OutputSize(long height, long width) =>
        Options.OutScale is { } o && o != Scale ? ((long)(height * o), (long)(width * o)) : (height * Scale, width * Scale);

    /// <summary>Number of tiles the network runs on for an image of this size (per pass; RGBA with the model alpha runs twice).</summary>
    public int TileCount(long height, long width)
    {
        var (h, w) = PaddedSize(height, width);
        return Plan(h).Count * Plan(w).Count;
    }

    /// <summary>
    /// Upscales (H, W, C) samples as <c>cv2.imread(..., IMREAD_UNCHANGED)</c> gives them but in RGB order: uint8, or
    /// int32 holding 16-bit samples; C = 1 (gray), 3 or 4 (RGBA). Returns the same layout and sample type.
    /// </summary>
    public Tensor Enhance(Tensor samples)
    {
        CheckSamples(samples);
        using var rows = ImageSampleRows.Of(samples);
        return Enhance(rows);
    }

    private Tensor Enhance(ImageSampleRows samples)
    {
        var (h, w, c) = (samples.Height, samples.Width, samples.Channels);
        var output = torch.empty([h * Scale, w * Scale, c], samples.DType);
        Bands(samples, (row, band) => output.narrow(0, row, band.size(0)).copy_(band));
        var (oh, ow) = OutputSize(h, w);
        if (oh == h * Scale && ow == w * Scale) return output;
        using (output) return Lanczos4Resize.Resize(output, oh, ow);
    }

    private static (long Height, long Width, long Channels) CheckSamples(Tensor samples)
    {
        if (samples.dim() != 3 || samples.size(2) is not (1 or 3 or 4))
            throw new ArgumentException($"expected (H, W, C) samples with 1, 3 or 4 channels, got shape [{string.Join(", ", samples.shape)}]", nameof(samples));
        if (samples.dtype is not (ScalarType.UInt8 or ScalarType.Int32))
            throw new ArgumentException($"expected uint8 or int32 (16-bit) samples, got {samples.dtype.TorchName()}", nameof(samples));
        var (h, w, c) = (samples.size(0), samples.size(1), samples.size(2));
        if (h == 0 || w == 0) throw new ArgumentException("the image is empty", nameof(samples));
        return (h, w, c);
    }

    /// <summary>
    /// The network-scale output in bands of finished rows, quantized: (rows, W·scale, C) in the samples' type, in
    /// order from the top. Colour and model-upscaled alpha run tile by tile together, so nothing image-sized but the
    /// samples is held.
    /// </summary>
    private void Bands(ImageSampleRows samples, Action<long, Tensor> write)
    {
        var (w, c) = (samples.Width, samples.Channels);
        // Upstream takes a file as 16-bit when a sample exceeds 256; here a 16-bit file is 16-bit, even a dark one.
        var maxRange = samples.DType == ScalarType.Int32 ? 65535.0 : 255.0;
        var modelAlpha = c == 4 && Options.Alpha == AlphaUpsampler.Model;
        // The colour (gray replicated to RGB, as cv2 GRAY2RGB) and the alpha (replicated likewise) through the network.
        List<(long First, long Count)> sources = [(0, c == 1 ? 1 : 3)];
        if (modelAlpha) sources.Add((3, 1));
        Run(samples, sources, maxRange, (bandRow, band) =>
        {
            const long Chunk = 64; // rows quantized at a time: float temporaries of a few rows, not of the band
            for (long r = 0; r < band.size(1); r += Chunk)
            {
                using var scope = torch.NewDisposeScope();
                var (row, n) = (bandRow + r, Math.Min(Chunk, band.size(1) - r));
                var rows = band.narrow(1, r, n);
                var quantized = torch.empty([n, w * Scale, c], samples.DType);
                var colour = rows.narrow(0, 0, 3).clamp(0.0, 1.0);
                Put(quantized, 0, 0, c == 1 ? Gray(colour) : colour, maxRange);
                if (modelAlpha) Put(quantized, 0, 3, Gray(rows.narrow(0, 3, 3).clamp(0.0, 1.0)), maxRange);
                else if (c == 4) Put(quantized, 0, 3, BilinearAlphaRows(samples, row, n, maxRange), maxRange);
                write(row, quantized);
            }
        });
    }

    /// <summary>
    /// Output rows [row, row + n) of cv2.resize(alpha, (W·s, H·s), INTER_LINEAR), i.e. F.interpolate bilinear without
    /// align_corners, computed from a slab of input rows with a row of margin (so its edge clamping never shows).
    /// </summary>
    private Tensor BilinearAlphaRows(ImageSampleRows samples, long row, long n, double maxRange)
    {
        var s = Scale;
        var (h, w) = (samples.Height, samples.Width);
        var first = Math.Max(0, row / s - 1);
        var last = Math.Min(h, (row + n - 1) / s + 2);
        var slab = F.interpolate(Float(samples.Rows(first, last - first).narrow(2, 3, 1), maxRange).unsqueeze(0), size: ((last - first) * s, w * s), mode: "bilinear", align_corners: false)[0];
        return slab.narrow(1, row - first * s, n);
    }

    /// <summary>
    /// Reads <paramref name="input"/>, enhances it and writes <paramref name="output"/> (format by extension): 16-bit
    /// when the input is 16-bit and the format stores it (PNG, TIFF), else 8-bit. A PNG at the network's scale is
    /// encoded band by band as rows finish, so the output never exists whole in memory. Written atomically; an
    /// existing file is replaced only with <paramref name="overwrite"/>; the output may not be the input.
    /// </summary>
    public UpscaleFileResult UpscaleFile(string input, string output, bool overwrite = false)
    {
        var watch = Stopwatch.StartNew();
        var format = ImageIO.FormatFromExtension(output);
        if (BatchOutputs.SamePath(input, output)) throw new ArgumentException($"the output '{output}' is the input; write to another file");
        if (!overwrite && File.Exists(output)) throw new OutputExistsException(output);
        using var scope = torch.NewDisposeScope();
        using var samples = ImageSampleRows.Open(input);
        var (h, w, c) = (samples.Height, samples.Width, samples.Channels);
        var (oh, ow) = OutputSize(h, w);
        var sixteen = samples.DType == ScalarType.Int32;
        var bitDepth = sixteen && format is ImageFormat.Png or ImageFormat.Tiff ? 16 : 8;
        if (format == ImageFormat.Png && (oh, ow) == (h * Scale, w * Scale))
        {
            WriteAtomically(output, overwrite, stream =>
            {
                using var png = new PngStreamWriter(stream, checked((int)ow), checked((int)oh), (int)c, bitDepth);
                Bands(samples, (_, band) => png.WriteRows(band));
                png.Finish();
            });
        }
        else
        {
            var result = Enhance(samples);
            samples.Dispose();
            var chw = result.permute(2, 0, 1);
            if (sixteen && bitDepth == 8) chw = chw.to(ScalarType.Float32).div_(65535.0); // JPEG, WebP, BMP: 8-bit only
            ImageIO.Write(output, chw, bitDepth: bitDepth, overwrite: overwrite);
        }
        return new UpscaleFileResult(input, output, (int)w, (int)h, (int)ow, (int)oh, c == 4, bitDepth, TileCount(h, w), watch.Elapsed);
    }

    /// <summary>Writes through a temporary file in the same folder, renamed over the target once complete.</summary>
    private static void WriteAtomically(string path, bool overwrite, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
                write(stream);
            File.Move(temporary, full, overwrite);
        }
        catch (IOException) when (!overwrite && File.Exists(full))
        {
            File.Delete(temporary);
            throw new OutputExistsException(path);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    /// <summary>Every image under <paramref name="inputFolder"/> into the same relative path under <paramref name="outputFolder"/>, as <see cref="Upscaler.UpscaleFolder"/>.</summary>
    public IReadOnlyList<UpscaleFolderEntry> UpscaleFolder(string inputFolder, string outputFolder, Action<UpscaleFolderEntry>? progress = null,
        CancellationToken cancel = default, bool overwrite = false) =>
        UpscaleBatch.Run(inputFolder, outputFolder, (file, target) => UpscaleFile(file, target, overwrite), progress, cancel, overwrite);

    // ---- upstream's pipeline ------------------------------------------------------------------------

    /// <summary>img.astype(float32) / max_range, as CHW.</summary>
    private static Tensor Float(Tensor hwc, double maxRange) => hwc.permute(2, 0, 1).to(ScalarType.Float32).div_(maxRange);

    /// <summary>cv2 BGR2GRAY of the network's output (upstream flips it to BGR first): 0.114·B + 0.587·G + 0.299·R.</summary>
    private static Tensor Gray(Tensor rgb) => (rgb.narrow(0, 2, 1) * 0.114f).add_(rgb.narrow(0, 1, 1) * 0.587f).add_(rgb.narrow(0, 0, 1) * 0.299f);

    /// <summary>(output · max).round() into the samples at <paramref name="row"/>, channels from <paramref name="channel"/>.</summary>
    private static void Put(Tensor output, long row, long channel, Tensor chw, double maxRange)
    {
        using var scope = torch.NewDisposeScope();
        var q = chw.mul(maxRange).round_().to(output.dtype).permute(1, 2, 0);
        output.narrow(0, row, chw.size(1)).narrow(2, channel, chw.size(0)).copy_(q);
    }

    private (long Height, long Width) PaddedSize(long height, long width)
    {
        var (h, w) = (height + Options.PrePad, width + Options.PrePad);
        return (h + (ModScale - h % ModScale) % ModScale, w + (ModScale - w % ModScale) % ModScale);
    }

    /// <summary>
    /// pre_process, tile_process (or process) and post_process on each of <paramref name="sources"/>, 3 or 1 channels
    /// (first, count) of the samples (one channel is replicated to RGB), tile by tile together: <paramref name="sink"/> gets the
    /// cropped, unclamped outputs in bands of finished rows (3 per source, rows, W·scale) at their output row. The padded float image is never built: each tile gathers its rows and
    /// columns of the padded image from the samples (the pads are reflections, so every padded pixel is a sample), and
    /// only the input rows a tile row reads are asked of <paramref name="samples"/>; those no later tile row (nor the
    /// alpha resize, one row above a band) reads are released.
    /// </summary>
    private void Run(ImageSampleRows samples, IReadOnlyList<(long First, long Count)> sources, double maxRange, Action<long, Tensor> sink)
    {
        var (height, width) = (samples.Height, samples.Width);
        var s = Scale;
        if (Options.PrePad > 0 && (Options.PrePad >= height || Options.PrePad >= width))
            throw new ArgumentException($"pre_pad {Options.PrePad} must be smaller than the image ({width}x{height}): it is reflected from inside it");
        var (ph, pw) = PaddedSize(height, width);
        var rowSource = PaddedSource(height, ph);
        var columnSource = PaddedSource(width, pw);
        var lowestFrom = new long[ph + 1]; // lowestFrom[i]: the lowest sample row that padded rows i.. hold
        lowestFrom[ph] = height;
        for (var i = ph - 1; i >= 0; i--) lowestFrom[i] = Math.Min(rowSource[i], lowestFrom[i + 1]);
        Tensor Patch(Tensor slab, long slabRow, (long First, long Count) channels, Span y, Span x)
        {
            var rowIndex = torch.tensor(rowSource[(int)y.Pad0..(int)y.Pad1].Select(r => r - slabRow).ToArray(), [y.Pad1 - y.Pad0]);
            var columnIndex = torch.tensor(columnSource[(int)x.Pad0..(int)x.Pad1], [x.Pad1 - x.Pad0]);
            var chw = Float(slab.narrow(2, channels.First, channels.Count).index_select(0, rowIndex).index_select(1, columnIndex), maxRange);
            return (chw.size(0) == 1 ? chw.expand(3, -1, -1).contiguous() : chw).unsqueeze(0);
        }
        var rows = Plan(ph);
        var columns = Plan(pw);
        Tensor? carry = null; // blended output rows shared with the next tile row
        try
        {
            for (var r = 0; r < rows.Count; r++)
            {
                using var scope = torch.NewDisposeScope();
                var y = rows[r];
                samples.Release(Math.Min(lowestFrom[y.Pad0], y.From - 1));
                var (slabRow, slabEnd) = (lowestFrom[y.Pad0], rowSource[(int)y.Pad0..(int)y.Pad1].Max() + 1);
                var slab = samples.Rows(slabRow, slabEnd - slabRow); // (rows this tile row reads, W, C)
                var band = torch.zeros([3 * sources.Count, (y.To - y.From) * s, pw * s]);
                if (carry is not null) band.narrow(1, 0, carry.size(1)).copy_(carry);
                foreach (var x in columns)
                {
                    using var tileScope = torch.NewDisposeScope();
                    var tile = sources.Count == 1 ? Network(Patch(slab, slabRow, sources[0], y, x))
                        : torch.cat(sources.Select(source => Network(Patch(slab, slabRow, source, y, x))).ToArray());
                    var kept = tile.narrow(1, (y.From - y.Pad0) * s, (y.To - y.From) * s).narrow(2, (x.From - x.Pad0) * s, (x.To - x.From) * s);
                    var target = band.narrow(2, x.From * s, (x.To - x.From) * s);
                    if (y.Weight is null && x.Weight is null) target.add_(kept);
                    else target.add_(kept * Weights(y.Weight, kept.size(1)).unsqueeze(1) * Weights(x.Weight, kept.size(2)).unsqueeze(0));
                }
                carry?.Dispose();
                carry = null;
                var finished = (r < rows.Count - 1 ? rows[r + 1].From : y.To) * s; // output rows no later tile row touches
                if (finished < y.To * s) carry = band.narrow(1, finished - y.From * s, (y.To * s) - finished).clone().DetachFromDisposeScope();
                // post_process: drop the mod pad and the pre_pad (bottom and right).
                var start = y.From * s;
                var end = Math.Min(finished, height * s);
                if (end > start) sink(start, band.narrow(1, 0, end - start).narrow(2, 0, width * s));
            }
        }
        finally
        {
            carry?.Dispose();
        }
    }

    /// <summary>
    /// For each position of an axis padded from <paramref name="length"/> to <paramref name="padded"/>, the sample it
    /// holds: pre_pad reflects the end (F.pad 'reflect': L + k holds L − 2 − k), then the mod pad reflects the
    /// pre-padded axis the same way (repeating the edge where a 1-pixel axis cannot be reflected).
    /// </summary>
    private long[] PaddedSource(long length, long padded)
    {
        var prePadded = length + Options.PrePad;
        var source = new long[padded];
        for (long i = 0; i < padded; i++)
        {
            var j = i;
            if (j >= prePadded) j = padded - prePadded < prePadded ? 2 * (prePadded - 1) - j : prePadded - 1;
            if (j >= length) j = 2 * (length - 1) - j;
            source[i] = j;
        }
        return source;
    }

    private static Tensor Weights(float[]? w, long length) => w is null ? torch.ones(length) : torch.tensor(w, [w.Length]);

    /// <summary>The network on one (1, 3, h, w) tile, on the CPU as (3, h·scale, w·scale).</summary>
    private Tensor Network(Tensor tile)
    {
        using var noGrad = torch.no_grad();
        var (h, w) = (tile.size(2), tile.size(3));
        // Upstream would stop here on a tile the x2/x1 network cannot unshuffle; growing it and cropping the output is the least surprise.
        var y = model.call(Upscaler.PadToMultiple(tile, (model as ISuperResolutionNet)?.InputMultiple ?? 1).to(Options.Device));
        if (y.size(2) > h * Scale || y.size(3) > w * Scale) y = y.narrow(2, 0, h * Scale).narrow(3, 0, w * Scale);
        long[] expected = [1, 3, h * Scale, w * Scale];
        if (!y.shape.SequenceEqual(expected))
            throw new InvalidOperationException($"the network turned a [{string.Join(", ", tile.shape)}] tile into [{string.Join(", ", y.shape)}], expected [{string.Join(", ", expected)}]: is its scale really {Scale}?");
        return y.to(Device.CPU, ScalarType.Float32)[0];
    }

    /// <summary>
    /// One tile along an axis: its core [Start, End), the input it reads [Pad0, Pad1) and the input range [From, To) whose
    /// output it writes, with per-output-pixel weights there (null: all 1, upstream's hard cut at the core).
    /// </summary>
    private sealed record Span(long Start, long End, long Pad0, long Pad1, long From, long To, float[]? Weight);

    /// <summary>
    /// tile_process's placement along one axis of the padded image: cores of <c>tile</c> pixels from 0 (the last one
    /// shorter), each read with <c>tile_pad</c> more on both sides where the image has them. With blending, a tile
    /// also reads and writes <c>tile_pad/2</c> pixels past a core edge it shares with a neighbour, with linear ramps
    /// normalised so that the weights of all tiles sum to 1 at every output pixel.
    /// </summary>
    private List<Span> Plan(long length)
    {
        if (Options.Tile == 0) return [new Span(0, length, 0, length, 0, length, null)];
        var tile = Options.Tile;
        var n = (int)((length + tile - 1) / tile);
        var half = Options.TileBlend ? Options.TilePad / 2 : 0;
        var spans = new List<Span>(n);
        for (var i = 0; i < n; i++)
        {
            long a = (long)i * tile, b = Math.Min(a + tile, length);
            // Blending reads half a blend width more, so a pixel a tile writes has tile_pad context as upstream's do.
            long pa = Math.Max(a - Options.TilePad - half, 0), pb = Math.Min(b + Options.TilePad + half, length);
            long from = i > 0 ? Math.Max(a - half, pa) : a, to = i < n - 1 ? Math.Min(b + half, pb) : b;
            spans.Add(new Span(a, b, pa, pb, from, to, null));
        }
        if (half == 0 || n == 1) return spans;
        var s = Scale;
        var raw = spans.Select((t, i) =>
        {
            var w = new double[(t.To - t.From) * s];
            for (var j = 0; j < w.Length; j++)
            {
                var p = t.From * s + j + 0.5; // output pixel centre
                var v = 1.0;
                if (i > 0) v = Math.Min(v, (p - (t.Start - half) * s) / (2.0 * half * s));
                if (i < n - 1) v = Math.Min(v, ((t.End + half) * s - p) / (2.0 * half * s));
                w[j] = Math.Max(v, 0);
            }
            return w;
        }).ToList();
        var total = new double[length * s];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < raw[i].Length; j++) total[spans[i].From * s + j] += raw[i][j];
        return spans.Select((t, i) => t with { Weight = raw[i].Select((v, j) => (float)(v / total[t.From * s + j])).ToArray() }).ToList();
    }

    public void Dispose()
    {
        if (ownsModel) model.Dispose();
    }
}
