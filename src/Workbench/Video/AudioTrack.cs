using System.Diagnostics;
using System.Globalization;

namespace Workbench.Video;

/// <summary>
/// Copies the audio of the source video into a finished (silent) output with the <c>ffmpeg</c> executable, when one
/// is on PATH (Debian's ffmpeg package): OpenCV writes pictures only. The streams are copied, not re-encoded, where
/// the container takes the codec; otherwise the audio is encoded as AAC.
/// </summary>
public static class AudioTrack
{
    /// <summary>The ffmpeg executable on PATH, or null.</summary>
    public static string? FindFfmpeg() => FindOnPath("ffmpeg");

    /// <summary>
    /// Muxes <paramref name="video"/>'s picture with the audio of <paramref name="source"/> from <paramref name="start"/>
    /// for <paramref name="duration"/> into <paramref name="output"/> (named <paramref name="shownAs"/> in the note). Returns one line for the user: what happened,
    /// and why the output is silent when it is. <paramref name="output"/> is written only when audio was copied.
    /// </summary>
    public static (bool Muxed, string Note) Copy(string video, string source, string output, TimeSpan start, TimeSpan? duration, string? shownAs = null)
    {
        var named = shownAs ?? output;
        var ffmpeg = FindFfmpeg();
        if (ffmpeg is null) return (false, $"no ffmpeg on PATH: {named} is silent");
        if (FindOnPath("ffprobe") is { } ffprobe && !HasAudio(ffprobe, source)) return (false, $"{source} has no audio track: {named} is silent");
        var range = new List<string>();
        if (start > TimeSpan.Zero) range.AddRange(["-ss", Seconds(start)]);
        if (duration is { } d) range.AddRange(["-t", Seconds(d)]);
        string error = "";
        foreach (var audioCodec in new[] { "copy", "aac" })
        {
            List<string> args = ["-v", "error", "-nostdin", "-y", "-i", video, .. range, "-i", source, "-map", "0:v:0", "-map", "1:a?", "-c:v", "copy", "-c:a", audioCodec, "-shortest", output];
            var (code, stderr) = Run(ffmpeg, args);
            if (code == 0) return (true, audioCodec == "copy" ? "audio copied" : "audio re-encoded as AAC (the source's codec does not fit this container)");
            error = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {code}";
            if (File.Exists(output)) File.Delete(output);
        }
        return (false, $"ffmpeg could not copy the audio ({error}): {named} is silent");
    }

    private static bool HasAudio(string ffprobe, string source)
    {
        var (code, _, stdout) = RunWithOutput(ffprobe, ["-v", "error", "-select_streams", "a", "-show_entries", "stream=index", "-of", "csv=p=0", source]);
        return code != 0 || stdout.Trim().Length > 0; // when ffprobe fails, let ffmpeg try
    }

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture);

    private static (int Code, string Stderr) Run(string exe, IEnumerable<string> args)
    {
        var (code, stderr, _) = RunWithOutput(exe, args);
        return (code, stderr);
    }

    private static (int Code, string Stderr, string Stdout) RunWithOutput(string exe, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new IOException($"cannot start {exe}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stderr, stdout.Result);
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
