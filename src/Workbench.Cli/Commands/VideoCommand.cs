using System.CommandLine;
using System.Globalization;

using Workbench.Video;

namespace Workbench.Cli.Commands;

/// <summary>The video side of <c>colorize</c> and <c>upscale</c>: their shared options, one video, and the videos of a folder run.</summary>
internal static class VideoCommand
{
    internal static readonly Option<double?> Start = new("--start") { Description = "Video: start this many seconds in" };
    internal static readonly Option<double?> Duration = new("--duration") { Description = "Video: process this many seconds (default: to the end)" };
    internal static readonly Option<double> Strength = new("--strength")
    {
        Description = "Video: temporal stabilisation, 0 (each frame on its own) to 1; higher removes more flicker (colour) or shimmer (upscaled texture) but follows real changes later and can smear where the flow errs",
        DefaultValueFactory = _ => TemporalStabilizer.DefaultStrength,
    };
    internal static readonly Option<string> Flow = new("--flow") { Description = "Video: optical flow for the stabilisation: dis, dis-fast or farneback", DefaultValueFactory = _ => "dis" };

    internal static readonly Option[] All = [Start, Duration, Strength, Flow];

    internal static VideoRange Range(ParseResult parse)
    {
        var start = parse.GetValue(Start) ?? 0;
        if (!(start >= 0 && double.IsFinite(start))) throw new UsageException($"--start must be 0 or more seconds, got {start}");
        var duration = parse.GetValue(Duration);
        if (duration is { } d && !(d > 0 && double.IsFinite(d))) throw new UsageException($"--duration must be a positive number of seconds, got {d}");
        return new VideoRange(TimeSpan.FromSeconds(start), duration is { } x ? TimeSpan.FromSeconds(x) : null);
    }

    internal static double CheckedStrength(ParseResult parse) =>
        parse.GetValue(Strength) is var s && s is >= 0 and <= 1 ? s : throw new UsageException($"--strength must be between 0 and 1, got {s}");

    internal static FlowMethod ParseFlow(ParseResult parse) => parse.GetValue(Flow) switch
    {
        "dis" => FlowMethod.Dis,
        "dis-fast" => FlowMethod.DisFast,
        "farneback" => FlowMethod.Farneback,
        var other => throw new UsageException($"--flow must be dis, dis-fast or farneback, got '{other}'"),
    };

    /// <summary>Refuses, before any model loads, a video output we cannot write or that exists without --overwrite.</summary>
    internal static void CheckOutput(string input, string output, bool overwrite)
    {
        ColorizeCommand.CheckSingleOutput(input, output, overwrite);
        try
        {
            VideoWriter.FourccFor(output);
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>One video through the processor, with a progress bar; prints what was written.</summary>
    internal static VideoRunResult RunOne(string input, string output, IFrameProcessor processor, VideoRange range, bool overwrite, CancellationToken cancel)
    {
        VideoRunResult result;
        using (var bar = new VideoProgressBar(Path.GetFileName(input)))
            result = VideoPipeline.Run(input, output, processor, range, overwrite, bar.Report, cancel);
        var fps = result.Frames / Math.Max(1e-9, result.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{input} → {output}: {result.Frames} frame(s), {result.Info.Width}x{result.Info.Height} → {result.OutputWidth}x{result.OutputHeight} at {result.Info.Fps:0.###} fps, " +
            $"{result.Elapsed.TotalSeconds:F1} s ({fps:F2} frames/s){(result.Cuts.Count > 1 ? $", {result.Cuts.Count - 1} scene cut(s)" : "")}; {result.AudioNote}"));
        return result;
    }

    /// <summary>The videos of a folder run, their outputs planned; refused (usage error) when an output exists without --overwrite.</summary>
    internal static IReadOnlyList<(string Input, string Output)> PlanFolder(string input, string output, bool overwrite)
    {
        var plan = VideoFiles.FindIn(input).Select(v => (v, VideoFiles.OutputFor(v, input, output))).ToList();
        if (!overwrite && plan.Where(p => File.Exists(p.Item2)).Select(p => p.Item2).ToList() is { Count: > 0 } existing)
            throw new UsageException($"{existing.Count} video output(s) already exist (e.g. '{existing[0]}'); pass --overwrite to replace them");
        return plan;
    }

    /// <summary>Each video of a folder run in turn: one that fails is reported and the rest go on. Returns the number that failed.</summary>
    internal static int RunFolder(IReadOnlyList<(string Input, string Output)> videos, Func<IFrameProcessor> processor, VideoRange range, bool overwrite, CancellationToken cancel)
    {
        var failed = 0;
        foreach (var (input, output) in videos)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                RunOne(input, output, processor(), range, overwrite, cancel);
            }
            catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or Torch.TorchException)
            {
                Console.Error.WriteLine($"failed: {input}: {e.Message}");
                failed++;
            }
        }
        if (videos.Count > 0) Console.WriteLine($"{videos.Count - failed} of {videos.Count} video(s) written{(failed > 0 ? $"; {failed} failed" : "")}");
        return failed;
    }
}
