using Workbench.Logging;
using Workbench.Torch;

namespace Workbench.Tests.Logging;

public sealed class EventFileReaderTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("wb-events-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private void WriteRun()
    {
        using var writer = new SummaryWriter(dir);
        for (var step = 1; step <= 5; step++) writer.AddScalar("loss/pixel", 1.0 / step, step);
        using var image = torch.rand(3, 8, 8);
        writer.AddImage("samples", image, 5);
        writer.AddHistogram("weights/w", new[] { 0.1, 0.2, 0.3 }, 5);
    }

    [Fact]
    public void SummarizesEveryTagOfARun()
    {
        WriteRun();
        var tags = EventFileReader.Summarize(dir).ToDictionary(t => t.Tag);
        var loss = tags["loss/pixel"];
        Assert.Equal(("scalar", 5, 1L, 5L), (loss.Kind, loss.Count, loss.FirstStep, loss.LastStep));
        Assert.Equal(0.2, loss.LastValue!.Value, 6);
        Assert.Equal(1.0, loss.Max!.Value, 6);
        Assert.Equal("image", tags["samples"].Kind);
        Assert.Equal("histogram", tags["weights/w"].Kind);
    }

    [Fact]
    public void CorruptRecordIsAnErrorButATornTailIsSkipped()
    {
        WriteRun();
        var file = Directory.GetFiles(dir, "events.out.tfevents.*").Single();
        var bytes = File.ReadAllBytes(file);
        File.WriteAllBytes(file, bytes[..^7]); // a writer killed mid-record
        Assert.NotEmpty(EventFileReader.Summarize(dir));
        bytes[60] ^= 0x40;
        File.WriteAllBytes(file, bytes);
        var e = Assert.Throws<InvalidDataException>(() => EventFileReader.Summarize(dir));
        Assert.Contains("CRC mismatch", e.Message);
        Assert.Contains(Path.GetFileName(file), e.Message);
    }
}
