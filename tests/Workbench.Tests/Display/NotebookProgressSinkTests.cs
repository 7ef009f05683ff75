using Workbench.Display;
using Workbench.Training.Callbacks;

namespace Workbench.Tests.Display;

[Collection(nameof(NotebookTests))]
public sealed class NotebookProgressSinkTests : IDisposable
{
    private readonly NotebookTests.RecordingPublisher publisher = new();

    public NotebookProgressSinkTests() => Notebook.Publisher = publisher;

    public void Dispose() => Notebook.Publisher = null;

    [Fact]
    public void ShowsOneBarThatEndsWithTheSummary()
    {
        var sink = new NotebookProgressSink();
        sink.Begin("run", 3);
        for (var i = 1; i <= 3; i++) sink.Report(i, 10, TimeSpan.FromSeconds(3 - i), $"train  loss {i}");
        sink.End("done: 3 steps");
        var ids = publisher.Published.Select(p => p.Id).Distinct().ToList();
        Assert.Single(ids);
        var last = publisher.Published[^1].Bundle["text/plain"];
        Assert.StartsWith("run [##############################] 3/3 (100%)", last);
        Assert.EndsWith("done: 3 steps", last);
    }

    [Fact]
    public void AStoppedRunStillShowsWhyItStopped()
    {
        var sink = new NotebookProgressSink();
        sink.Begin("run", 100);
        sink.Report(5, 10, TimeSpan.Zero, "train  loss nan");
        sink.End("stopped: loss is NaN at step 5");
        Assert.Contains(publisher.Published, p => p.Bundle["text/plain"].Contains("stopped: loss is NaN at step 5"));
    }
}
