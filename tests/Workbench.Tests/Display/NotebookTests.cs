using Workbench.Display;

namespace Workbench.Tests.Display;

/// <summary>Displays route through Notebook.Publisher, a process-wide hook: these tests share one collection.</summary>
[Collection(nameof(NotebookTests))]
public sealed class NotebookTests : IDisposable
{
    private readonly RecordingPublisher publisher = new();

    public NotebookTests() => Notebook.Publisher = publisher;

    public void Dispose() => Notebook.Publisher = null;

    [Fact]
    public void DisplayPublishesAndTheHandleUpdatesInPlace()
    {
        var handle = Notebook.Display(new Table("a").AddRow(1));
        handle.Update("replaced");
        Assert.Equal(2, publisher.Published.Count);
        Assert.Contains("<table", publisher.Published[0].Bundle["text/html"]);
        Assert.Equal(("replaced", handle.DisplayId, true), (publisher.Published[1].Bundle["text/plain"], publisher.Published[1].Id, publisher.Published[1].Update));
    }

    [Fact]
    public void ProgressBarShowsOnceThenUpdatesAndAlwaysShowsTheEnd()
    {
        var bar = new ProgressBar(1000, "train");
        for (var i = 0; i <= 1000; i++) bar.Report(i, comment: "loss 0.5");
        Assert.False(publisher.Published[0].Update);
        Assert.All(publisher.Published.Skip(1), p => Assert.True(p.Update));
        // Throttled: far fewer messages than steps, and the last one is the finished bar.
        Assert.InRange(publisher.Published.Count, 2, 100);
        var last = publisher.Published[^1].Bundle;
        Assert.Contains("<progress value=\"1000\" max=\"1000\"", last["text/html"]);
        Assert.StartsWith("train [##############################] 1000/1000 (100%)", last["text/plain"]);
        Assert.EndsWith("loss 0.5", last["text/plain"]);
    }

    internal sealed class RecordingPublisher : IDisplayPublisher
    {
        public List<(IReadOnlyDictionary<string, string> Bundle, string Id, bool Update)> Published { get; } = new();

        public void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update) => Published.Add((bundle, displayId, update));

        public void ClearOutput(bool wait) { }
    }
}
