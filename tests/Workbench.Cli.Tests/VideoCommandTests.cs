using Workbench.Testing;
using Workbench.Video;

namespace Workbench.Cli.Tests;

public sealed class VideoCommandTests
{
    /// <summary>A small colour video of a moving texture.</summary>
    private static string TinyVideo(string path, int frames = 8, int width = 64, int height = 48, double fps = 8)
    {
        using var writer = new VideoWriter(path, fps, width, height);
        var frame = new byte[width * height * 3];
        for (var t = 0; t < frames; t++)
        {
            for (var i = 0; i < width * height; i++)
            {
                var (x, y) = (i % width - 2 * t, i / width);
                var v = 128 + 60 * Math.Sin(x / 4.0) * Math.Cos(y / 5.0);
                (frame[3 * i], frame[3 * i + 1], frame[3 * i + 2]) = ((byte)(v * 0.6), (byte)v, (byte)Math.Min(255, v * 1.2));
            }
            writer.Write(frame);
        }
        return path;
    }

    private static VideoInfo InfoOf(string path)
    {
        using var reader = new VideoReader(path);
        return reader.Info;
    }

    private static long CountFrames(string path)
    {
        using var reader = new VideoReader(path);
        var frame = new byte[reader.FrameBytes];
        long n = 0;
        while (reader.Read(frame)) n++;
        return n;
    }

    [Fact]
    public void ColorizeAVideoKeepsItsFramesRateAndSize()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = TinyVideo(Path.Combine(dir.Path, "clip.avi"));
        var output = Path.Combine(dir.Path, "clip-colour.mp4");
        var r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "64");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("8 frame(s)", r.Stdout);
        Assert.Contains("silent", r.Stdout); // the generated clip has no sound: said in one line, with or without ffmpeg
        Assert.Equal(8, CountFrames(output));
        Assert.Equal((64, 48, 8.0), (InfoOf(output).Width, InfoOf(output).Height, InfoOf(output).Fps));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.partial.*"));
    }

    [Fact]
    public void UpscaleAVideoWithTheShippedModelScalesItsFrames()
    {
        using var dir = new CliTestFiles.TempDir();
        var input = TinyVideo(Path.Combine(dir.Path, "clip.avi"), frames: 8);                  // 8 fps: frames 2-5 are 0.25 s + 0.5 s
        var output = Path.Combine(dir.Path, "clip-x2.avi");
        var r = CliProcess.Run("upscale", input, output, "--start", "0.25", "--duration", "0.5");
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Equal((128, 96), (InfoOf(output).Width, InfoOf(output).Height));
        Assert.Equal(4, CountFrames(output));
    }

    [Fact]
    public void AFolderMixingPhotosAndVideosIsHandledItemByItem()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = Directory.CreateDirectory(Path.Combine(dir.Path, "in")).FullName;
        File.Copy(Path.Combine(PythonReference.RepoRoot, "test_images", "coins.png"), Path.Combine(input, "coins.png"));
        TinyVideo(Path.Combine(input, "clip.avi"), frames: 4);
        File.WriteAllBytes(Path.Combine(input, "broken.mp4"), Enumerable.Range(0, 5000).Select(i => (byte)(i * 91)).ToArray());
        var output = Path.Combine(dir.Path, "out");
        var r = CliProcess.Run("colorize", input, output, "--model", model, "--render-size", "64");
        Assert.Equal(1, r.ExitCode);                                  // one item failed ...
        Assert.Contains("broken.mp4", r.Stderr);                      // ... named ...
        Assert.True(File.Exists(Path.Combine(output, "coins.png")), r.Stdout + r.Stderr); // ... and the others were done
        Assert.Equal(4, CountFrames(Path.Combine(output, "clip.avi")));
        Assert.Contains("1 of 2 video(s) written; 1 failed", r.Stdout);
    }

    [Fact]
    public void EvaluateVideoReportsFlickerAndChromaPerFrameAndMean()
    {
        using var dir = new CliTestFiles.TempDir();
        var model = CliTestFiles.TinyColorizer(dir.Path);
        var input = TinyVideo(Path.Combine(dir.Path, "clip.avi"), frames: 6);
        var csv = Path.Combine(dir.Path, "scores.csv");
        var r = CliProcess.Run("evaluate", "video", input, "--model", model, "--render-size", "64", "--strength", "0.5,0.9", "--csv", csv);
        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        Assert.Contains("per-frame", r.Stdout);
        Assert.Contains("stabilised s=0.9", r.Stdout);
        var lines = File.ReadAllLines(csv);
        Assert.Equal(7, lines.Length);                                 // header + 6 frames
        Assert.StartsWith("frame,cut,chroma per-frame,flicker per-frame", lines[0]);
        Assert.StartsWith("0,1,", lines[1]);                          // the first frame starts a shot: no flicker
    }

    [Fact]
    public void ABadVideoOptionIsAUsageError()
    {
        using var dir = new CliTestFiles.TempDir();
        var input = TinyVideo(Path.Combine(dir.Path, "clip.avi"), frames: 2);
        var r = CliProcess.Run("upscale", input, Path.Combine(dir.Path, "out.avi"), "--strength", "1.5");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--strength", r.Stderr);
        r = CliProcess.Run("upscale", input, Path.Combine(dir.Path, "out.gif"));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("out.gif", r.Stderr);
    }
}
