using System.Buffers.Binary;

using Workbench.Logging;
using Workbench.Logging.Protos;

namespace Workbench.Tests.Logging;

public sealed class EventFileWriterTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "workbench-efw-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
    }

    [Fact]
    public void FirstRecordIsTheFileVersionAndIsOnDiskAtOnce()
    {
        using var writer = new EventFileWriter(dir);
        var events = ReadEvents(writer.FilePath);
        Assert.Equal("brain.Event:2", Assert.Single(events).FileVersion);
    }

    [Fact]
    public void EventsFromManyThreadsAllArriveInOneValidFile()
    {
        string path;
        using (var writer = new EventFileWriter(dir, maxQueue: 3))
        {
            path = writer.FilePath;
            Parallel.For(0, 200, i => writer.Add(new Event { Step = i, Summary = Summaries.Scalar("x", i) }));
        }
        var events = ReadEvents(path);
        Assert.Equal(201, events.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (long)i), events.Skip(1).Select(e => e.Step).Order());
    }

    [Fact]
    public void AnErrorWhileBuildingIsRethrownOnTheCallersThread()
    {
        using var writer = new EventFileWriter(dir);
        writer.Add(() => throw new InvalidOperationException("boom"));
        var ex = Assert.Throws<IOException>(writer.Flush);
        Assert.Contains("boom", ex.Message);
        writer.Add(new Event { Step = 1, Summary = Summaries.Scalar("x", 1) });  // the writer keeps going
        writer.Flush();
        Assert.Equal(2, ReadEvents(writer.FilePath).Count);
    }

    [Fact]
    public void AddAfterDisposeThrows()
    {
        var writer = new EventFileWriter(dir);
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.Add(new Event()));
    }

    /// <summary>Reads records without checking CRCs (the Python reader does that independently).</summary>
    private static List<Event> ReadEvents(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var events = new List<Event>();
        for (var pos = 0; pos < bytes.Length;)
        {
            var length = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(pos));
            events.Add(Event.Parser.ParseFrom(bytes, pos + 12, length));
            pos += 16 + length;
        }
        return events;
    }
}
