using System.Diagnostics;
using System.Globalization;
using System.Text;

using Workbench.Data;
using Workbench.Display;
using Workbench.Inference;
using Workbench.Metrics;
using Workbench.Torch;

namespace Workbench.Video;

/// <summary>One frame's scores: chroma error against the colour original and flicker (NaN on a shot's first frame), per-frame output first, then one per strength.</summary>
public sealed record VideoFrameScore(long Frame, bool Cut, double[] Chroma, double[] Flicker);

/// <summary>One frame as the evaluation saw it, for pictures: the colour original and the outputs (per-frame first), (3, H, W) each, valid during the callback only.</summary>
public sealed record EvaluatedFrame(long Frame, Tensor Original, IReadOnlyList<Tensor> Outputs, VideoFrameScore Score);

/// <summary>The outcome of <see cref="VideoEvaluation.Run"/>: per-frame scores and means for the per-frame output and each strength.</summary>
public sealed record VideoEvaluationResult(string Input, VideoInfo Info, long FirstFrame, IReadOnlyList<double> Strengths,
    IReadOnlyList<VideoFrameScore> Frames, IReadOnlyList<long> Cuts, TimeSpan ColorizeTime, TimeSpan MotionTime, TimeSpan StabilizeTime)
{
    /// <summary>"per-frame", then "stabilised s=0.8" for each strength.</summary>
    public IReadOnlyList<string> Variants => ["per-frame", .. Strengths.Select(s => string.Create(CultureInfo.InvariantCulture, $"stabilised s={s:0.##}"))];

    public double MeanChroma(int variant) => Frames.Average(f => f.Chroma[variant]);

    /// <summary>Mean flicker over the frames that have one (not a shot's first).</summary>
    public double MeanFlicker(int variant) => Frames.Select(f => f.Flicker[variant]).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    /// <summary>Frames per second of the per-frame run (decode + colorize) and of the stabilised one (+ flow and propagation of one strength).</summary>
    public (double PerFrame, double Stabilised) Fps
    {
        get
        {
            var n = Frames.Count;
            var perFrame = ColorizeTime.TotalSeconds;
            var stabilised = perFrame + MotionTime.TotalSeconds + StabilizeTime.TotalSeconds / Math.Max(1, Strengths.Count);
            return (n / Math.Max(1e-9, perFrame), n / Math.Max(1e-9, stabilised));
        }
    }

    /// <summary>Means per output, and each one's change against per-frame (the issue's goal: flicker −50%, chroma no more than +2%).</summary>
    public Table ToTable()
    {
        var table = new Table("output", "flicker (a*b*)", "chroma error (a*b*)", "flicker vs per-frame", "chroma vs per-frame");
        var (flicker0, chroma0) = (MeanFlicker(0), MeanChroma(0));
        for (var i = 0; i < Variants.Count; i++)
        {
            var (flicker, chroma) = (MeanFlicker(i), MeanChroma(i));
            table.AddRow(Variants[i], Round(flicker), Round(chroma),
                i == 0 ? "" : Change(flicker, flicker0), i == 0 ? "" : Change(chroma, chroma0));
        }
        return table;
    }

    private static string Change(double value, double reference)
    {
        var percent = Math.Round(100 * (value / reference - 1), 1) + 0.0; // + 0.0 turns -0.0 into 0.0
        return string.Create(CultureInfo.InvariantCulture, $"{(percent >= 0 ? "+" : "")}{percent:0.0}%");
    }

    private static string Round(double v) => double.IsFinite(v) ? v.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>frame, cut, then chroma and flicker of each variant: one row per frame.</summary>
    public string ToCsv()
    {
        var text = new StringBuilder("frame,cut");
        foreach (var v in Variants) text.Append(CultureInfo.InvariantCulture, $",chroma {v},flicker {v}");
        text.Append('\n');
        foreach (var f in Frames)
        {
            text.Append(CultureInfo.InvariantCulture, $"{f.Frame},{(f.Cut ? 1 : 0)}");
            for (var i = 0; i < f.Chroma.Length; i++)
                text.Append(CultureInfo.InvariantCulture, $",{f.Chroma[i]:0.####},{(double.IsFinite(f.Flicker[i]) ? f.Flicker[i].ToString("0.####", CultureInfo.InvariantCulture) : "")}");
            text.Append('\n');
        }
        return text.ToString();
    }
}

/// <summary>
/// Colour video → gray → colorized per frame, and stabilised at each strength, scored frame by frame: chroma error
/// (mean CIE a*b* distance to the colour original, <see cref="LabDistance.Chroma"/>) and flicker (<see cref="FlickerMeter"/>,
/// the warping error of Lai et al. 2018 on a*b*, along the flow of the original gray frames). The stabiliser sees the
/// same gray frames and so the same flow: the flicker measure rewards exactly what it propagates, and the chroma
/// error is what keeps that honest (freezing a wrong colour lowers flicker but raises it). The model runs once per
/// frame; every strength reuses its output, so a sweep of strengths costs little more than one.
/// </summary>
public static class VideoEvaluation
{
    public static VideoEvaluationResult Run(Colorizer colorizer, string input, IReadOnlyList<double> strengths, VideoRange? range = null,
        FlowMethod flow = FlowMethod.Dis, Action<VideoProgress>? progress = null, Action<EvaluatedFrame>? onFrame = null, CancellationToken cancel = default)
    {
        range ??= VideoRange.All;
        using var reader = new VideoReader(input);
        var info = reader.Info;
        var first = (long)Math.Round(range.Start.TotalSeconds * info.Fps);
        long? wanted = range.Duration is { } d ? Math.Max(1, (long)Math.Round(d.TotalSeconds * info.Fps)) : null;
        var total = wanted ?? (info.FrameCount > 0 ? info.FrameCount - first : -1);
        if (first > 0) reader.SkipTo(first);
        var (width, height) = (info.Width, info.Height);
        var tracker = new MotionTracker(width, height, flow);
        var stabilizers = strengths.Select(s => new TemporalStabilizer(s)).ToList();
        var meters = Enumerable.Range(0, strengths.Count + 1).Select(_ => new FlickerMeter()).ToList();
        var frame = new byte[reader.FrameBytes];
        var gray = new byte[width * height];
        var scores = new List<VideoFrameScore>();
        var (colorizeClock, motionClock, stabilizeClock, wall) = (new Stopwatch(), new Stopwatch(), new Stopwatch(), Stopwatch.StartNew());
        long index = 0;
        while ((wanted is null || index < wanted) && reader.Read(frame))
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            colorizeClock.Start();
            var original = VideoFrames.ToRgb(frame, width, height);
            var perFrame = colorizer.Colorize(ColorSpace.Luma(original));
            colorizeClock.Stop();
            motionClock.Start();
            VideoFrames.Gray(frame, gray);
            var motion = tracker.Next(gray);
            motionClock.Stop();
            List<Tensor> outputs = [perFrame];
            stabilizeClock.Start();
            foreach (var stabilizer in stabilizers) outputs.Add(ColorizeFrames.Stabilize(perFrame, stabilizer, motion));
            stabilizeClock.Stop();
            var chroma = outputs.Select(o => LabDistance.Chroma(o, original).item<double>()).ToArray();
            var flicker = outputs.Select((o, i) => meters[i].Next(VideoFrames.LabChroma(o), motion)).ToArray();
            var score = new VideoFrameScore(first + index, motion.IsCut, chroma, flicker);
            scores.Add(score);
            onFrame?.Invoke(new EvaluatedFrame(first + index, original, outputs, score));
            index++;
            if (progress is not null)
            {
                var fps = index / Math.Max(1e-9, wall.Elapsed.TotalSeconds);
                progress(new VideoProgress(index, total, fps, total > 0 ? TimeSpan.FromSeconds((total - index) / fps) : null));
            }
        }
        if (index == 0) throw new VideoException($"'{input}': no frame could be decoded{(first > 0 ? $" from frame {first}" : "")}");
        return new VideoEvaluationResult(input, info, first, strengths.ToList(), scores, tracker.Cuts.Select(c => c + first).ToList(),
            colorizeClock.Elapsed, motionClock.Elapsed, stabilizeClock.Elapsed);
    }
}
