using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

using Workbench.Data.Degradations;
using Workbench.Data.Imaging;
using Workbench.Torch;

namespace Workbench.Data;

/// <summary>How <see cref="DatasetPreparation"/> cuts photos into training crops.</summary>
public sealed record PrepareOptions
{
    /// <summary>Side of the square crops in pixels (the seed notes: 256, big enough to hold faces and trees).</summary>
    public int CropSize { get; init; } = 256;

    /// <summary>Random crops per scale (ignored with <see cref="Grid"/>).</summary>
    public int CropsPerScale { get; init; } = 4;

    /// <summary>Cut every scale into non-overlapping tiles (centred) instead of random crops.</summary>
    public bool Grid { get; init; }

    /// <summary>Scales 1, 1/2, 1/4 ... at most this many, and only while the image is still at least CropSize.</summary>
    public int MaxScales { get; init; } = 8;

    /// <summary>
    /// Halve photos with more pixels than this before anything else (noisy, over-compressed phone photos: the
    /// model should learn real detail, not sensor noise). Null never halves; 0 halves every photo.
    /// </summary>
    public long? PriorDownscaleAbovePixels { get; init; }

    /// <summary>Kernel for the smaller scales. Area (exact box averaging) runs on 8-bit pixels; others go through float.</summary>
    public ResizeKernel ScaleKernel { get; init; } = ResizeKernel.Area;

    /// <summary>Seeds the crop positions; each source file gets its own stream from this and its name.</summary>
    public int Seed { get; init; }

    /// <summary>Source files processed at once.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>zlib level 0..9 of the PNG crops (6 is Pillow's and libpng's default).</summary>
    public int PngCompressionLevel { get; init; } = 6;

    /// <summary>zlib strategy of the PNG crops; RLE by default (much faster, slightly larger files).</summary>
    public PngStrategy PngStrategy { get; init; } = PngStrategy.Rle;

    /// <summary>Crops per numbered folder.</summary>
    public int FilesPerFolder { get; init; } = 1000;

    /// <summary>Start over: delete the numbered crop folders and the manifest of a previous run first.</summary>
    public bool Overwrite { get; init; }

    /// <summary>Files whose header claims more pixels than this are reported as bad before decoding.</summary>
    public long MaxPixels { get; init; } = ImageReadOptions.DefaultMaxPixels;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(CropSize, 8, nameof(CropSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(CropsPerScale, 1, nameof(CropsPerScale));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxScales, 1, nameof(MaxScales));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxParallelism, 1, nameof(MaxParallelism));
        ArgumentOutOfRangeException.ThrowIfLessThan(FilesPerFolder, 1, nameof(FilesPerFolder));
        if (PngCompressionLevel is < 0 or > 9) throw new ArgumentOutOfRangeException(nameof(PngCompressionLevel), PngCompressionLevel, "zlib levels are 0..9");
        if (PriorDownscaleAbovePixels is < 0) throw new ArgumentOutOfRangeException(nameof(PriorDownscaleAbovePixels));
    }

    /// <summary>What must match for a run to continue a previous one in the same folder.</summary>
    internal string Fingerprint() =>
        $"crop={CropSize} {(Grid ? "grid" : $"random={CropsPerScale}")} max-scales={MaxScales} prior-downscale-above={PriorDownscaleAbovePixels?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "never"} kernel={ScaleKernel} seed={Seed} per-folder={FilesPerFolder}";
}

/// <summary>The output folder holds crops this run must not mix with (other settings, or not made by a preparation run).</summary>
public sealed class OutputFolderConflictException(string message) : InvalidOperationException(message);

/// <summary>Progress after each source file.</summary>
public sealed record PrepareProgress(int SourcesDone, int SourcesTotal, long CropsWritten, string LastSource);

/// <summary>A source file that could not be used, and why.</summary>
public sealed record SkippedSource(string Source, string Reason);

/// <summary>What a preparation run did.</summary>
public sealed record PrepareSummary
{
    /// <summary>Image files found (after the manifest's, i.e. including those done before).</summary>
    public int SourcesFound { get; init; }

    /// <summary>Skipped because an earlier run already cut them (listed in the manifest).</summary>
    public int SourcesAlreadyDone { get; init; }

    /// <summary>Decoded in this run (including those too small to give a crop).</summary>
    public int SourcesRead { get; init; }

    /// <summary>Decoded but smaller than one crop.</summary>
    public IReadOnlyList<SkippedSource> TooSmall { get; init; } = [];

    /// <summary>Unreadable or undecodable files, with the reason; they are retried by the next run.</summary>
    public IReadOnlyList<SkippedSource> Bad { get; init; } = [];

    /// <summary>Crops written in this run.</summary>
    public long CropsWritten { get; init; }

    /// <summary>Crops in the output folder (this run and earlier ones).</summary>
    public long CropsTotal { get; init; }

    /// <summary>Numbered files of an interrupted earlier run that no manifest entry covered, deleted before starting.</summary>
    public int OrphansRemoved { get; init; }

    public TimeSpan Elapsed { get; init; }

    public bool Cancelled { get; init; }

    public double CropsPerSecond => Elapsed.TotalSeconds > 0 ? CropsWritten / Elapsed.TotalSeconds : 0;
}

/// <summary>
/// Offline dataset preparation, as in the seed notes: every photo is cut into NxN crops at scales 1, 1/2,
/// 1/4 ... while the scaled photo is still at least N (random positions or a grid), noisy phone photos can be
/// halved first, and the crops are written once as PNG through an <see cref="ImageSaver"/> (1000 per folder).
/// Source files are processed in parallel. Pixels stay 8-bit from decode to encode (Pillow's way), so a crop
/// costs little more than its PNG encoding.
/// The output folder holds a manifest (<see cref="ManifestName"/>) with one line per finished source and the
/// numbers of its crops: a re-run skips finished sources, removes crops of a source that was interrupted
/// half-way, and refuses to mix crops made with different settings. Bad images are reported and skipped;
/// they never stop the job. Crop contents are deterministic (seeded per source file); crop numbers follow the
/// order sources finish in, so they are deterministic with <see cref="PrepareOptions.MaxParallelism"/> 1.
/// </summary>
public static class DatasetPreparation
{
    public const string ManifestName = "prepare-manifest.jsonl";

    /// <summary>Cuts every image under <paramref name="inputDir"/> (recursively) into crops in <paramref name="outputDir"/>.</summary>
    public static PrepareSummary Run(string inputDir, string outputDir, PrepareOptions? options = null, IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default)
    {
        var input = Path.GetFullPath(inputDir);
        var output = Path.GetFullPath(outputDir);
        var files = ImagesDataset.FromDirsRecursive([input]).Files
            .Where(f => !IsUnder(f, output)) // an output folder inside the input folder is not input
            .Select(f => (Key: Path.GetRelativePath(input, f).Replace('\\', '/'), Path: f))
            .ToList();
        return Run(files, output, options, progress, cancel);
    }

    /// <summary>Cuts the given image files into crops; the manifest names them by their full paths.</summary>
    public static PrepareSummary Run(IReadOnlyList<string> sourceFiles, string outputDir, PrepareOptions? options = null, IProgress<PrepareProgress>? progress = null, CancellationToken cancel = default) =>
        Run(sourceFiles.Select(f => (Path.GetFullPath(f), Path.GetFullPath(f))).ToList(), Path.GetFullPath(outputDir), options, progress, cancel);

    private static PrepareSummary Run(List<(string Key, string Path)> sources, string output, PrepareOptions? options, IProgress<PrepareProgress>? progress, CancellationToken cancel)
    {
        options ??= new PrepareOptions();
        options.Validate();
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(output);
        if (options.Overwrite) Clear(output);
        using var manifest = Manifest.Open(output, options);
        var orphans = manifest.RemoveOrphans(options.FilesPerFolder);
        var saver = new ImageSaver(output, options.FilesPerFolder);

        var todo = sources.Where(s => !manifest.Done.ContainsKey(s.Key)).DistinctBy(s => s.Key).ToList();
        var already = sources.Count - todo.Count;
        var tooSmall = new ConcurrentBag<SkippedSource>();
        var bad = new ConcurrentBag<SkippedSource>();
        long written = 0;
        var read = 0;
        var done = 0;
        var cancelled = false;
        try
        {
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.MaxParallelism, CancellationToken = cancel };
            // No buffering: each worker takes one file at a time, so a few huge photos do not end up on one thread.
            var partitioner = System.Collections.Concurrent.Partitioner.Create(todo, EnumerablePartitionerOptions.NoBuffering);
            Parallel.ForEach(partitioner, parallel, source =>
            {
                var result = ProcessSource(source.Key, source.Path, options, saver, cancel);
                switch (result.Outcome)
                {
                    case Outcome.Bad:
                        bad.Add(new SkippedSource(source.Key, result.Reason!));
                        break;
                    default:
                        Interlocked.Increment(ref read);
                        if (result.Outcome == Outcome.TooSmall) tooSmall.Add(new SkippedSource(source.Key, result.Reason!));
                        Interlocked.Add(ref written, result.Count);
                        manifest.Append(new ManifestEntry(source.Key, result.Width, result.Height, result.First, result.Count));
                        break;
                }
                var n = Interlocked.Increment(ref done);
                progress?.Report(new PrepareProgress(n, todo.Count, Interlocked.Read(ref written), source.Key));
            });
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            cancelled = true;
        }
        catch (AggregateException e) when (cancel.IsCancellationRequested && e.Flatten().InnerExceptions.All(i => i is OperationCanceledException))
        {
            cancelled = true;
        }
        catch (AggregateException e) when (e.Flatten().InnerExceptions.Count >= 1)
        {
            // A failure writing the output (disk full, permissions): surface the first one as itself, not wrapped.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            throw;
        }
        clock.Stop();
        return new PrepareSummary
        {
            SourcesFound = sources.Count,
            SourcesAlreadyDone = already,
            SourcesRead = read,
            TooSmall = tooSmall.OrderBy(s => s.Source, StringComparer.Ordinal).ToList(),
            Bad = bad.OrderBy(s => s.Source, StringComparer.Ordinal).ToList(),
            CropsWritten = written,
            CropsTotal = manifest.TotalCrops,
            OrphansRemoved = orphans,
            Elapsed = clock.Elapsed,
            Cancelled = cancelled,
        };
    }

    /// <summary>A crop at one scale: scale s is the photo shrunk to 1 / 2^s; the box is in that scale's pixels.</summary>
    public readonly record struct PlannedCrop(int Scale, CropBox Box);

    /// <summary>
    /// Where the crops of a <paramref name="width"/> x <paramref name="height"/> photo go (after any prior downscale):
    /// for each scale s = 0, 1, ... (size / 2^s) while both sides are at least CropSize, random boxes or a centred grid.
    /// </summary>
    public static IReadOnlyList<PlannedCrop> PlanCrops(int width, int height, PrepareOptions options, Random random)
    {
        var crops = new List<PlannedCrop>();
        var n = options.CropSize;
        for (var s = 0; s < options.MaxScales; s++)
        {
            var (w, h) = ScaledSize(width, height, s);
            if (w < n || h < n) break;
            if (options.Grid)
            {
                // Centre the tiles: the margins left over go to both sides, not all to the right and bottom.
                var (top, left) = ((h - h / n * n) / 2, (w - w / n * n) / 2);
                crops.AddRange(ImageCrop.GridCropBoxes(h, w, n).Select(b => new PlannedCrop(s, b with { Top = b.Top + top, Left = b.Left + left })));
            }
            else
            {
                for (var k = 0; k < options.CropsPerScale; k++) crops.Add(new PlannedCrop(s, ImageCrop.RandomCropBox(h, w, n, n, random)));
            }
        }
        return crops;
    }

    /// <summary>The size of scale <paramref name="scale"/> (1 / 2^scale, rounded down).</summary>
    public static (int Width, int Height) ScaledSize(int width, int height, int scale) => (width >> scale, height >> scale);

    /// <summary>A per-source random stream: stable across runs and processes (string.GetHashCode is not).</summary>
    internal static Random SourceRandom(int seed, string key)
    {
        var hash = 14695981039346656037UL; // FNV-1a 64
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }
        hash ^= (uint)seed;
        hash *= 1099511628211UL;
        return new Random((int)(hash ^ (hash >> 32)) & int.MaxValue);
    }

    private enum Outcome
    {
        Cropped,
        TooSmall,
        Bad,
    }

    private sealed record SourceResult(Outcome Outcome, string? Reason, int Width = 0, int Height = 0, long First = 0, int Count = 0);

    private static SourceResult ProcessSource(string key, string path, PrepareOptions options, ImageSaver saver, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        using var scope = torch.NewDisposeScope();
        Tensor image;
        try
        {
            image = DecodeRgb8(File.ReadAllBytes(path), path, options.MaxPixels);
            if (options.PriorDownscaleAbovePixels is { } limit && image.size(0) * image.size(1) > limit)
                image = ResizeRgb8(image, (int)image.size(0) / 2, (int)image.size(1) / 2, options.ScaleKernel);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return new SourceResult(Outcome.Bad, Describe(e));
        }
        var (h, w) = ((int)image.size(0), (int)image.size(1));
        var boxes = PlanCrops(w, h, options, SourceRandom(options.Seed, key));
        if (boxes.Count == 0)
            return new SourceResult(Outcome.TooSmall, $"{w}x{h} is smaller than one {options.CropSize}x{options.CropSize} crop", w, h);

        // Errors from here on (disk full, permissions) are about the output, not the photo: they stop the job.
        var first = saver.Reserve(boxes.Count);
        var scaled = image;
        for (var i = 0; i < boxes.Count; i++)
        {
            var box = boxes[i];
            if (i == 0 || box.Scale != boxes[i - 1].Scale)
            {
                cancel.ThrowIfCancellationRequested();
                var (sw, sh) = ScaledSize(w, h, box.Scale);
                scaled = box.Scale == 0 ? image : ResizeRgb8(image, sh, sw, options.ScaleKernel);
            }
            saver.SaveEncoded(first + i, EncodeCrop(scaled, box.Box, options));
        }
        return new SourceResult(Outcome.Cropped, null, w, h, first, boxes.Count);
    }

    /// <summary>
    /// Decodes to (H, W, 3) uint8 RGB, oriented as displayed. 8-bit RGB and gray JPEG/PNG/WebP/BMP files take a direct
    /// path (no float round trip); anything else (alpha, 16-bit, TIFF) goes through <see cref="ImageIO.Decode"/>,
    /// which composites alpha over white, and is then quantized.
    /// </summary>
    internal static Tensor DecodeRgb8(byte[] bytes, string name, long maxPixels = ImageReadOptions.DefaultMaxPixels)
    {
        ImageInfo info;
        try
        {
            info = ImageHeader.Parse(bytes, requireComplete: true, maxPixels);
        }
        catch (FormatException e)
        {
            throw new ImageDecodeException(name, e.Message, e);
        }
        using var scope = torch.NewDisposeScope();
        if (info.Format != ImageFormat.Tiff) // OpenCV orients TIFFs itself; ImageIO knows how to handle that
        {
            Tensor hwc;
            try
            {
                hwc = ImageCodec.Decode(bytes);
            }
            catch (ImagingException e)
            {
                throw new ImageDecodeException(name, $"{info.Format}: {e.Message}", e);
            }
            if (hwc.size(0) != info.StoredHeight || hwc.size(1) != info.StoredWidth)
                throw new ImageDecodeException(name, $"{info.Format}: the header says {info.StoredWidth}x{info.StoredHeight} but the decoder produced {hwc.size(1)}x{hwc.size(0)}");
            if (hwc.dtype == ScalarType.UInt8 && hwc.size(2) is 1 or 3)
            {
                hwc = ImageIO.Orient(hwc, info.Orientation);
                if (hwc.size(2) == 1) hwc = hwc.expand(-1, -1, 3);
                return hwc.contiguous().MoveToOuterDisposeScope();
            }
        }
        var chw = ImageIO.Decode(bytes, name, new ImageReadOptions { MaxPixels = maxPixels });
        return HwcSamples.FromChwFloat(chw, 255, ScalarType.UInt8).MoveToOuterDisposeScope();
    }

    /// <summary>PNG of a region of a contiguous (H, W, 3) uint8 CPU image, read in place.</summary>
    private static unsafe byte[] EncodeCrop(Tensor hwc, CropBox box, PrepareOptions options)
    {
        var (width, channels) = ((int)hwc.size(1), (int)hwc.size(2));
        var pixels = new ReadOnlySpan<byte>((void*)hwc.data_ptr(), checked((int)hwc.numel()));
        var start = (box.Top * width + box.Left) * channels;
        var bytes = PngWriter.Encode(pixels[start..], box.Width, box.Height, channels, width * channels, options.PngCompressionLevel, options.PngStrategy);
        GC.KeepAlive(hwc); // the span points into its storage
        return bytes;
    }

    /// <summary>Resizes (H, W, 3) uint8: Area directly on 8-bit pixels (OpenCV), other kernels through float.</summary>
    internal static Tensor ResizeRgb8(Tensor hwc, int height, int width, ResizeKernel kernel)
    {
        if (kernel == ResizeKernel.Area) return PixelResize.Uint8(hwc, height, width, ImagingNative.InterArea);
        using var scope = torch.NewDisposeScope();
        var chw = hwc.permute(2, 0, 1).to(ScalarType.Float32).div(255.0);
        var resized = ResizeKernels.Resize(chw, height, width, kernel);
        return HwcSamples.FromChwFloat(resized, 255, ScalarType.UInt8).MoveToOuterDisposeScope();
    }

    private static string Describe(Exception e) => e switch
    {
        ImageDecodeException d => d.Problem,
        FileNotFoundException => "the file disappeared",
        UnauthorizedAccessException => "no permission to read it",
        IOException io => io.Message,
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static bool IsUnder(string file, string folder) =>
        file.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Deletes what a previous run wrote: numbered folders (only numbered files in them) and the manifest.</summary>
    private static void Clear(string output)
    {
        foreach (var (_, file) in ImageSaver.Enumerate(output)) File.Delete(file);
        foreach (var folder in Directory.EnumerateDirectories(output))
            if (Path.GetFileName(folder).All(char.IsAsciiDigit) && !Directory.EnumerateFileSystemEntries(folder).Any()) Directory.Delete(folder);
        File.Delete(Path.Combine(output, ManifestName));
    }

    internal sealed record ManifestEntry(
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("width")] int Width,
        [property: JsonPropertyName("height")] int Height,
        [property: JsonPropertyName("first")] long First,
        [property: JsonPropertyName("count")] int Count);

    private sealed record ManifestHeader([property: JsonPropertyName("workbench_prepare")] string Settings);

    /// <summary>
    /// The append-only record of finished sources: a header line with the settings, then one JSON line per
    /// source, flushed as it finishes. A torn last line (a kill mid-write) is ignored and that source redone.
    /// </summary>
    internal sealed class Manifest : IDisposable
    {
        private readonly StreamWriter writer;
        private readonly string output;
        private readonly object gate = new();
        private long total;

        private Manifest(string output, StreamWriter writer, Dictionary<string, ManifestEntry> done)
        {
            this.output = output;
            this.writer = writer;
            Done = done;
            total = done.Values.Sum(e => (long)e.Count);
        }

        public Dictionary<string, ManifestEntry> Done { get; }

        public long TotalCrops => Interlocked.Read(ref total);

        public static Manifest Open(string output, PrepareOptions options)
        {
            var path = Path.Combine(output, ManifestName);
            var settings = options.Fingerprint();
            var done = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
            var exists = File.Exists(path) && new FileInfo(path).Length > 0;
            if (exists)
            {
                var lines = File.ReadAllLines(path);
                var header = TryParse<ManifestHeader>(lines[0]);
                if (header?.Settings is null)
                    throw new InvalidDataException($"'{path}' is not a prepare manifest; remove it or choose another output folder");
                if (header.Settings != settings)
                    throw new OutputFolderConflictException(
                        $"'{output}' was prepared with different settings ({header.Settings}); this run asks for ({settings}). Use another output folder, or overwrite (--force).");
                foreach (var line in lines.Skip(1))
                    if (TryParse<ManifestEntry>(line) is { Source: not null } entry) done[entry.Source] = entry;
            }
            else if (ImageSaver.Enumerate(output).Count > 0)
            {
                throw new OutputFolderConflictException($"'{output}' already holds numbered images but no {ManifestName}; choose an empty output folder, or overwrite (--force).");
            }
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\n" };
            if (!exists) writer.WriteLine(JsonSerializer.Serialize(new ManifestHeader(settings)));
            else if (!EndsWithNewline(path)) writer.WriteLine(); // close a torn line so the next entry starts clean
            writer.Flush();
            return new Manifest(output, writer, done);
        }

        /// <summary>Deletes numbered crops no entry covers (written by a source that was interrupted); returns how many.</summary>
        public int RemoveOrphans(int filesPerFolder)
        {
            var covered = Done.Values.Where(e => e.Count > 0).Select(e => (e.First, End: e.First + e.Count)).OrderBy(r => r.First).ToList();
            var removed = 0;
            foreach (var (number, file) in ImageSaver.Enumerate(output))
            {
                if (IsCovered(covered, number)) continue;
                File.Delete(file);
                removed++;
            }
            return removed;
        }

        public void Append(ManifestEntry entry)
        {
            var line = JsonSerializer.Serialize(entry);
            lock (gate)
            {
                writer.WriteLine(line);
                writer.Flush();
                Done[entry.Source] = entry;
                total += entry.Count;
            }
        }

        public void Dispose() => writer.Dispose();

        private static bool IsCovered(List<(long First, long End)> ranges, long number)
        {
            int lo = 0, hi = ranges.Count - 1;
            while (lo <= hi)
            {
                var mid = (lo + hi) / 2;
                if (number < ranges[mid].First) hi = mid - 1;
                else if (number >= ranges[mid].End) lo = mid + 1;
                else return true;
            }
            return false;
        }

        private static T? TryParse<T>(string line) where T : class
        {
            try
            {
                return string.IsNullOrWhiteSpace(line) ? null : JsonSerializer.Deserialize<T>(line);
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static bool EndsWithNewline(string path)
        {
            using var stream = File.OpenRead(path);
            if (stream.Length == 0) return true;
            stream.Seek(-1, SeekOrigin.End);
            return stream.ReadByte() == '\n';
        }
    }
}
