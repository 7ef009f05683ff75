using System.Diagnostics;

namespace Workbench.Video;

/// <summary>The part of a video to process: from <see cref="Start"/>, for <see cref="Duration"/> (null: to the end).</summary>
public sealed record VideoRange(TimeSpan Start, TimeSpan? Duration)
{
    public static readonly VideoRange All = new(TimeSpan.Zero, null);
}

/// <summary>Frames done so far, of about <see cref="Total"/> (-1 when the container does not say), at <see cref="Fps"/>.</summary>
public sealed record VideoProgress(long Done, long Total, double Fps, TimeSpan? Eta);

/// <summary>What a video run did. <see cref="AudioNote"/> is one line about the sound track.</summary>
public sealed record VideoRunResult(string Input, string Output, VideoInfo Info, long Frames, int OutputWidth, int OutputHeight,
    TimeSpan Elapsed, string AudioNote, IReadOnlyList<long> Cuts);

/// <summary>
/// Streams a video through an <see cref="IFrameProcessor"/>: one frame decoded, processed and encoded at a time, so
/// memory does not depend on the length, and nothing is written to disk but the output. The output is written as
/// <c>clip.partial.mp4</c> beside <c>clip.mp4</c> and renamed into place once complete (with the audio copied in when
/// ffmpeg is on PATH), so no half-written file ever carries the output's name. When the input turns out truncated or
/// corrupt, the partial file is finalised (playable, the frames done so far) and kept, and the error names both; on
/// cancellation it is deleted.
/// </summary>
public static class VideoPipeline
{
    public static VideoRunResult Run(string input, string output, IFrameProcessor processor, VideoRange? range = null,
        bool overwrite = false, Action<VideoProgress>? progress = null, CancellationToken cancel = default)
    {
        range ??= VideoRange.All;
        var clock = Stopwatch.StartNew();
        VideoWriter.FourccFor(output);                                             // a bad output name fails before any work
        if (Path.GetFullPath(input) == Path.GetFullPath(output)) throw new ArgumentException($"the output '{output}' is the input; write to another file");
        if (!overwrite && File.Exists(output)) throw new Data.OutputExistsException(output);
        using var reader = new VideoReader(input);
        var info = reader.Info;
        var first = (long)Math.Round(range.Start.TotalSeconds * info.Fps);
        long? wanted = range.Duration is { } d ? Math.Max(1, (long)Math.Round(d.TotalSeconds * info.Fps)) : null;
        if (info.FrameCount > 0 && first >= info.FrameCount)
            throw new ArgumentException($"'{input}': --start {range.Start.TotalSeconds:0.###} s is past its end ({info.FrameCount} frames at {info.Fps:0.###} fps)");
        var total = wanted ?? (info.FrameCount > 0 ? info.FrameCount - first : -1);
        if (info.FrameCount > 0 && total > info.FrameCount - first) total = info.FrameCount - first;
        if (first > 0) reader.SkipTo(first);

        var (outWidth, outHeight) = processor.OutputSize(info.Width, info.Height);
        var folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(folder);
        var partial = VideoFiles.PartialFor(output);
        var frame = new byte[reader.FrameBytes];
        var result = new byte[outWidth * outHeight * 3];
        long done = 0;
        var writer = new VideoWriter(partial, info.Fps, outWidth, outHeight);
        try
        {
            while ((wanted is null || done < wanted) && reader.Read(frame))
            {
                cancel.ThrowIfCancellationRequested();
                processor.Process(frame, info.Width, info.Height, result);
                writer.Write(result);
                done++;
                if (progress is not null)
                {
                    var fps = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
                    progress(new VideoProgress(done, total, fps, total > 0 ? TimeSpan.FromSeconds((total - done) / fps) : null));
                }
            }
        }
        catch (OperationCanceledException)
        {
            writer.Dispose();
            File.Delete(partial);
            throw;
        }
        catch (VideoException e) when (done > 0)
        {
            writer.Dispose();
            throw new VideoException($"{e.Message}; the {done} frame(s) done before it are in '{partial}' (playable)");
        }
        catch
        {
            writer.Dispose();
            File.Delete(partial);
            throw;
        }
        writer.Dispose();
        if (done == 0)
        {
            File.Delete(partial);
            throw new VideoException($"'{input}': no frame could be decoded{(first > 0 ? $" from frame {first}" : "")}");
        }
        var withAudio = VideoFiles.PartialFor(output, "audio.partial");
        var (muxed, note) = AudioTrack.Copy(partial, input, withAudio, range.Start, range.Duration, shownAs: output);
        if (muxed)
        {
            File.Move(withAudio, output, overwrite: true);
            File.Delete(partial);
        }
        else File.Move(partial, output, overwrite: true);
        return new VideoRunResult(input, output, info, done, outWidth, outHeight, clock.Elapsed, note, processor.Cuts);
    }
}
