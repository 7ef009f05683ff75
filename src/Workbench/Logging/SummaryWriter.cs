using System.Globalization;

using Workbench.Logging.Protos;
using Workbench.Torch;
using Workbench.Visualization;

namespace Workbench.Logging;

/// <summary>
/// Writes TensorBoard event files with the API of PyTorch's torch.utils.tensorboard.SummaryWriter
/// (tensorboardX), in .NET casing. Calls return after queueing: tensors are copied to host memory
/// on the calling thread, everything else (PNG encoding, histogram bucketing, disk) happens on a
/// background writer thread. Safe to call from several threads.
/// <code>
/// using var tb = new SummaryWriter("runs/espcn");
/// tb.AddScalar("loss/train", loss, step);
/// tb.AddImages("samples", batch, step, nrow: 4);
/// </code>
/// </summary>
public sealed class SummaryWriter : IDisposable
{
    private readonly EventFileWriter writer;
    private readonly Dictionary<string, EventFileWriter> scalarsWriters = new();
    private readonly int maxQueue;
    private readonly TimeSpan flushInterval;
    private readonly string filenameSuffix;
    private bool disposed;

    /// <param name="logDir">Run folder; default runs/&lt;MonDD_HH-MM-SS&gt;_&lt;host&gt;&lt;comment&gt; as PyTorch.</param>
    /// <param name="comment">Suffix of the default run folder name (ignored when logDir is given).</param>
    /// <param name="maxQueue">Events written before the file is flushed to disk.</param>
    /// <param name="flushSecs">Longest time (seconds) an event waits before the file is flushed.</param>
    /// <param name="filenameSuffix">Appended to every event file name.</param>
    public SummaryWriter(string? logDir = null, string comment = "", int maxQueue = 10, double flushSecs = 120, string filenameSuffix = "")
    {
        logDir ??= Path.Combine("runs", DateTime.Now.ToString("MMMdd_HH-mm-ss", CultureInfo.InvariantCulture) + "_" + Environment.MachineName + comment);
        this.maxQueue = maxQueue;
        flushInterval = TimeSpan.FromSeconds(flushSecs);
        this.filenameSuffix = filenameSuffix;
        writer = new EventFileWriter(logDir, maxQueue, flushInterval, filenameSuffix);
    }

    public string LogDir => writer.LogDir;

    /// <summary>The main event file.</summary>
    public string FilePath => writer.FilePath;

    public void AddScalar(string tag, double scalarValue, long? globalStep = null, double? walltime = null) =>
        Add(writer, globalStep, walltime, () => Summaries.Scalar(tag, scalarValue));

    /// <summary>A one-element tensor (a loss); reading it waits for the value.</summary>
    public void AddScalar(string tag, Tensor scalarValue, long? globalStep = null, double? walltime = null) =>
        AddScalar(tag, scalarValue.item<double>(), globalStep, walltime);

    /// <summary>
    /// Several curves in one chart: as PyTorch, each key goes to its own run
    /// &lt;logDir&gt;/&lt;mainTag with / as _&gt;_&lt;key&gt; under the tag <paramref name="mainTag"/>.
    /// </summary>
    public void AddScalars(string mainTag, IReadOnlyDictionary<string, double> tagScalarDict, long? globalStep = null, double? walltime = null)
    {
        var time = walltime ?? EventFileWriter.UnixNow();
        foreach (var (key, value) in tagScalarDict)
        {
            var dir = Path.Combine(LogDir, mainTag.Replace('/', '_') + "_" + key);
            EventFileWriter sub;
            lock (scalarsWriters)
            {
                ObjectDisposedException.ThrowIf(disposed, this);
                if (!scalarsWriters.TryGetValue(dir, out sub!))
                    scalarsWriters[dir] = sub = new EventFileWriter(dir, maxQueue, flushInterval, filenameSuffix);
            }
            Add(sub, globalStep, time, () => Summaries.Scalar(mainTag, value));
        }
    }

    /// <summary>One image: a float tensor in [0, 1] or a uint8 tensor, CHW by default (1, 3 or 4 channels).</summary>
    public void AddImage(string tag, Tensor imgTensor, long? globalStep = null, double? walltime = null, string dataformats = "CHW")
    {
        var pixels = Summaries.ToPixels(imgTensor, dataformats);
        Add(writer, globalStep, walltime, () => Summaries.Image(tag, pixels));
    }

    /// <summary>One image from interleaved 8-bit pixels (HWC; 3 channels = RGB). The array is copied.</summary>
    public void AddImage(string tag, ReadOnlySpan<byte> pixels, int width, int height, int channels = 3, long? globalStep = null, double? walltime = null)
    {
        if (pixels.Length != width * height * channels) throw new ArgumentException($"{width}x{height}x{channels} needs {width * height * channels} bytes, got {pixels.Length}", nameof(pixels));
        var image = new ImagePixels(pixels.ToArray(), width, height, channels);
        Add(writer, globalStep, walltime, () => Summaries.Image(tag, image));
    }

    /// <summary>A batch (N, C, H, W) tiled into one grid image, as make_grid(nrow, padding).</summary>
    public void AddImages(string tag, Tensor imgTensor, long? globalStep = null, double? walltime = null, int nrow = 8, int padding = 2, double padValue = 0)
    {
        ImagePixels pixels;
        using (var grid = BatchGrid.Make(imgTensor, nrow, padding, padValue)) pixels = Summaries.ToPixels(grid);
        Add(writer, globalStep, walltime, () => Summaries.Image(tag, pixels));
    }

    /// <summary>Histogram of all elements (TensorFlow's exponential buckets; see <see cref="Histogram"/>).</summary>
    public void AddHistogram(string tag, Tensor values, long? globalStep = null, double? walltime = null)
    {
        double[] data;
        using (var flat = values.detach().flatten().to(Device.CPU, ScalarType.Float64)) data = flat.data<double>();
        AddHistogram(tag, data, globalStep, walltime);
    }

    /// <summary>Histogram of <paramref name="values"/>; the array must not change after the call.</summary>
    public void AddHistogram(string tag, double[] values, long? globalStep = null, double? walltime = null) =>
        Add(writer, globalStep, walltime, () => Summaries.Histogram(tag, values));

    /// <summary>Markdown text (the text plugin), under tag "<paramref name="tag"/>/text_summary".</summary>
    public void AddText(string tag, string textString, long? globalStep = null, double? walltime = null) =>
        Add(writer, globalStep, walltime, () => Summaries.Text(tag, textString));

    /// <summary>
    /// One hparams session, as PyTorch: a sub-run &lt;logDir&gt;/&lt;runName&gt; (default: the Unix time)
    /// gets the experiment, session start and end summaries and each metric as a scalar.
    /// Hparam values are numbers, strings or bools.
    /// </summary>
    public void AddHparams(IReadOnlyDictionary<string, object> hparamDict, IReadOnlyDictionary<string, double> metricDict,
        IReadOnlyDictionary<string, IReadOnlyList<object>>? hparamDomainDiscrete = null, string? runName = null, long? globalStep = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var (experiment, start, end) = Summaries.Hparams(hparamDict, metricDict.Keys, hparamDomainDiscrete);
        runName ??= EventFileWriter.UnixNow().ToString("F6", CultureInfo.InvariantCulture);
        using var session = new EventFileWriter(Path.Combine(LogDir, runName), maxQueue, flushInterval, filenameSuffix);
        var time = EventFileWriter.UnixNow();
        foreach (var summary in new[] { experiment, start, end }) Add(session, globalStep, time, () => summary);
        foreach (var (tag, value) in metricDict) Add(session, globalStep, time, () => Summaries.Scalar(tag, value));
    }

    /// <summary>Blocks until everything added so far is on disk.</summary>
    public void Flush()
    {
        writer.Flush();
        foreach (var sub in SubWriters()) sub.Flush();
    }

    public void Close() => Dispose();

    public void Dispose()
    {
        EventFileWriter[] subs;
        lock (scalarsWriters)
        {
            if (disposed) return;
            disposed = true;
            subs = scalarsWriters.Values.ToArray();
        }
        writer.Dispose();
        foreach (var sub in subs) sub.Dispose();
    }

    private EventFileWriter[] SubWriters()
    {
        lock (scalarsWriters) return scalarsWriters.Values.ToArray();
    }

    /// <summary>Step and wall time are taken now, on the caller's thread; the summary is built later.</summary>
    private static void Add(EventFileWriter target, long? step, double? walltime, Func<Summary> build)
    {
        var time = walltime ?? EventFileWriter.UnixNow();
        var s = step ?? 0;
        target.Add(() => new Event { WallTime = time, Step = s, Summary = build() });
    }
}
