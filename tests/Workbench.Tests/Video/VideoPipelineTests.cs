using Workbench.Video;

namespace Workbench.Tests.Video;

public sealed class VideoPipelineTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-pipeline-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string Out(string name) => Path.Combine(dir, name);

    [Fact]
    public void FramesRateAndSizeAreKeptAndStartDurationSelectAPart()
    {
        var input = SyntheticVideo.Write(Out("in.avi"), frames: 20, fps: 10);
        var all = VideoPipeline.Run(input, Out("all.mp4"), new CopyFrames());
        Assert.Equal(20, all.Frames);
        Assert.Equal(20, SyntheticVideo.ReadAll(Out("all.mp4")).Count);
        using (var reader = new VideoReader(Out("all.mp4"))) Assert.Equal((64, 48, 10.0), (reader.Info.Width, reader.Info.Height, reader.Info.Fps));
        var part = VideoPipeline.Run(input, Out("part.avi"), new CopyFrames(), new VideoRange(TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(0.8)));
        Assert.Equal(8, part.Frames);
        Assert.Equal(8, SyntheticVideo.ReadAll(Out("part.avi")).Count);
        Assert.False(File.Exists(VideoFiles.PartialFor(Out("part.avi"))));
    }

    [Fact]
    public void ATruncatedInputIsAnErrorNamingItAndTheFramesWrittenStayPlayable()
    {
        var input = SyntheticVideo.Write(Out("whole.avi"), frames: 40);
        var bytes = File.ReadAllBytes(input);
        var truncated = Out("truncated.avi");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        var output = Out("result.mp4");
        var e = Assert.Throws<VideoException>(() => VideoPipeline.Run(truncated, output, new CopyFrames()));
        Assert.Contains("truncated.avi", e.Message);
        var partial = VideoFiles.PartialFor(output);
        Assert.Contains(Path.GetFileName(partial), e.Message);
        Assert.False(File.Exists(output));
        var (count, _) = SyntheticVideo.ReadAll(partial);
        Assert.InRange(count, 5, 35);
    }

    [Fact]
    public void ACorruptInputIsAnErrorNamingItAndWritesNothing()
    {
        var input = Out("garbage.mp4");
        File.WriteAllBytes(input, Enumerable.Range(0, 10000).Select(i => (byte)(i * 131 + 7)).ToArray());
        var e = Assert.Throws<VideoException>(() => VideoPipeline.Run(input, Out("x.mp4"), new CopyFrames()));
        Assert.Contains("garbage.mp4", e.Message);
        Assert.Empty(Directory.GetFiles(dir, "x*"));
    }

    [Fact]
    public void AnInterruptedOrFailedRunLeavesNoFileUnderTheOutputName()
    {
        var input = SyntheticVideo.Write(Out("in.avi"), frames: 20);
        using var cancel = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => VideoPipeline.Run(input, Out("stopped.mp4"), new CopyFrames(), progress: p =>
        {
            if (p.Done == 5) cancel.Cancel();
        }, cancel: cancel.Token));
        Assert.Throws<InvalidOperationException>(() => VideoPipeline.Run(input, Out("failed.mp4"), new CopyFrames(failAt: 3)));
        Assert.Empty(Directory.GetFiles(dir, "stopped*"));
        Assert.Empty(Directory.GetFiles(dir, "failed*"));
    }

    [Fact]
    public void AnExistingOutputIsKeptUnlessOverwriteIsGiven()
    {
        var input = SyntheticVideo.Write(Out("in.avi"), frames: 3);
        File.WriteAllText(Out("taken.mp4"), "mine");
        Assert.Throws<Workbench.Data.OutputExistsException>(() => VideoPipeline.Run(input, Out("taken.mp4"), new CopyFrames()));
        Assert.Equal("mine", File.ReadAllText(Out("taken.mp4")));
        VideoPipeline.Run(input, Out("taken.mp4"), new CopyFrames(), overwrite: true);
        Assert.Equal(3, SyntheticVideo.ReadAll(Out("taken.mp4")).Count);
    }
}
