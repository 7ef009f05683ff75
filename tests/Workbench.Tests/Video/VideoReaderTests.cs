using Workbench.Video;

namespace Workbench.Tests.Video;

public sealed class VideoReaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-video-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData(".avi")]
    [InlineData(".mp4")]
    [InlineData(".mkv")]
    public void ATinyVideoRoundTripsWithItsFrameCountRateAndSize(string extension)
    {
        var path = SyntheticVideo.Write(Path.Combine(dir, "clip" + extension), frames: 12, width: 64, height: 48, fps: 12.5);
        using (var reader = new VideoReader(path))
        {
            Assert.Equal((64, 48), (reader.Info.Width, reader.Info.Height));
            Assert.Equal(12.5, reader.Info.Fps, 3);
        }
        var (count, first) = SyntheticVideo.ReadAll(path);
        Assert.Equal(12, count);
        // Lossy codecs: the first frame comes back close to what was written.
        var written = SyntheticVideo.Bgr(64, 48, 0);
        var meanError = written.Zip(first).Average(p => Math.Abs(p.First - p.Second));
        Assert.True(meanError < 8, $"mean abs error {meanError:F2}");
    }

    [Fact]
    public void SkipToStartsAtTheFrameAsked()
    {
        var path = SyntheticVideo.Write(Path.Combine(dir, "clip.avi"), frames: 10);
        using var reader = new VideoReader(path);
        reader.SkipTo(6);
        var frame = new byte[reader.FrameBytes];
        Assert.True(reader.Read(frame));
        var expected = SyntheticVideo.Bgr(64, 48, 6);
        var other = SyntheticVideo.Bgr(64, 48, 5);
        Assert.True(expected.Zip(frame).Average(p => Math.Abs(p.First - p.Second)) < other.Zip(frame).Average(p => Math.Abs(p.First - p.Second)));
        Assert.Equal(7, reader.Position);
    }

    [Fact]
    public void AFileThatIsNotAVideoIsAnErrorNamingIt()
    {
        var path = Path.Combine(dir, "not-a-video.mp4");
        File.WriteAllBytes(path, Enumerable.Range(0, 4096).Select(i => (byte)(i * 37)).ToArray());
        var e = Assert.Throws<VideoException>(() => new VideoReader(path));
        Assert.Contains("not-a-video.mp4", e.Message);
    }

    [Theory]
    [InlineData(100, 100, false)]
    [InlineData(99, 100, false)]   // a duration-estimated count may be off by a frame or two
    [InlineData(50, 100, true)]
    [InlineData(10, -1, false)]    // no count announced: nothing to compare with
    public void AStreamEndingWellShortOfItsAnnouncedCountIsTruncated(long position, long announced, bool truncated) =>
        Assert.Equal(truncated, VideoReader.EndsEarly(position, announced));

    [Fact]
    public void AnOutputExtensionWithoutAnEncoderIsRefusedByName()
    {
        var e = Assert.Throws<ArgumentException>(() => VideoWriter.FourccFor("clip.gif"));
        Assert.Contains("clip.gif", e.Message);
    }
}
