using System.Collections.Concurrent;
using System.Diagnostics;

using Google.Protobuf;

using Workbench.Logging.Protos;

namespace Workbench.Logging;

/// <summary>
/// Appends events to one <c>events.out.tfevents.*</c> file from a background thread, so the training
/// thread only pays for queueing. Events are built (PNG encoding, bucketing) and written on that
/// thread; the file is flushed every <c>maxQueue</c> events, every <c>flushInterval</c>, on
/// <see cref="Flush"/> and on <see cref="Dispose"/>. An I/O error on the background thread is
/// rethrown by the next call.
/// </summary>
public sealed class EventFileWriter : IDisposable
{
    private static int fileCounter;

    private readonly BlockingCollection<WorkItem> queue;
    private readonly Thread thread;
    private readonly FileStream file;
    private readonly int maxQueue;
    private readonly TimeSpan flushInterval;
    private Exception? failure;
    private bool disposed;

    private readonly record struct WorkItem(Func<Event>? Build, TaskCompletionSource? Flushed);

    /// <param name="logDir">Folder of the run (created if missing).</param>
    /// <param name="maxQueue">Events written before the file is flushed to disk.</param>
    /// <param name="flushInterval">Longest time a written event waits before the file is flushed.</param>
    /// <param name="filenameSuffix">Appended to the file name, as PyTorch's filename_suffix.</param>
    public EventFileWriter(string logDir, int maxQueue = 10, TimeSpan? flushInterval = null, string filenameSuffix = "")
    {
        LogDir = logDir;
        this.maxQueue = Math.Max(1, maxQueue);
        this.flushInterval = flushInterval ?? TimeSpan.FromSeconds(120);
        Directory.CreateDirectory(logDir);
        // TensorFlow's name: events.out.tfevents.<10-digit unix time>.<host>; PyTorch adds .<pid>.<n>,
        // which keeps two writers started in the same second (AddScalars, AddHparams) apart.
        var name = $"events.out.tfevents.{DateTimeOffset.UtcNow.ToUnixTimeSeconds():D10}.{Environment.MachineName}.{Environment.ProcessId}.{Interlocked.Increment(ref fileCounter)}{filenameSuffix}";
        FilePath = Path.Combine(logDir, name);
        file = new FileStream(FilePath, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 1 << 16);
        // The first record names the format; it is on disk before the constructor returns, so a
        // TensorBoard that is already watching sees the run at once.
        WriteRecord(new Event { WallTime = UnixNow(), FileVersion = "brain.Event:2" });
        file.Flush();

        queue = new BlockingCollection<WorkItem>(new ConcurrentQueue<WorkItem>(), boundedCapacity: 4096);
        thread = new Thread(Run) { IsBackground = true, Name = "tfevents writer " + Path.GetFileName(logDir) };
        thread.Start();
    }

    public string LogDir { get; }

    public string FilePath { get; }

    /// <summary>Seconds since the Unix epoch, TensorBoard's wall_time.</summary>
    public static double UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>Queues an event; <paramref name="build"/> runs on the writer thread.</summary>
    public void Add(Func<Event> build)
    {
        ThrowIfFailed();
        ObjectDisposedException.ThrowIf(disposed, this);
        queue.Add(new WorkItem(build, null));
    }

    public void Add(Event e) => Add(() => e);

    /// <summary>Blocks until every event queued so far is written and flushed to disk.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        queue.Add(new WorkItem(null, done));
        done.Task.Wait();
        ThrowIfFailed();
    }

    /// <summary>Writes what is queued, flushes and closes the file.</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        queue.CompleteAdding();
        thread.Join();
        file.Dispose();
        queue.Dispose();
        ThrowIfFailed();
    }

    private void Run()
    {
        var pending = 0;
        var sinceFlush = Stopwatch.StartNew();
        while (!queue.IsCompleted)
        {
            var wait = pending > 0 ? flushInterval - sinceFlush.Elapsed : Timeout.InfiniteTimeSpan;
            if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.Zero) wait = TimeSpan.Zero;
            WorkItem item;
            try
            {
                if (!queue.TryTake(out item, wait))
                {
                    if (pending > 0) FlushFile(ref pending, sinceFlush);
                    continue;
                }
            }
            catch (InvalidOperationException)
            {
                break;  // completed while waiting
            }

            if (item.Build is { } build)
            {
                Guard(() => WriteRecord(build()));
                pending++;
                if (pending >= maxQueue || sinceFlush.Elapsed >= flushInterval) FlushFile(ref pending, sinceFlush);
            }
            else if (item.Flushed is { } done)
            {
                FlushFile(ref pending, sinceFlush);
                done.SetResult();
            }
        }
        FlushFile(ref pending, sinceFlush);
    }

    private void FlushFile(ref int pending, Stopwatch sinceFlush)
    {
        Guard(() => file.Flush());
        pending = 0;
        sinceFlush.Restart();
    }

    private void WriteRecord(Event e) => TfRecord.Write(file, e.ToByteArray());

    private void Guard(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            Interlocked.CompareExchange(ref failure, ex, null);
        }
    }

    private void ThrowIfFailed()
    {
        var ex = Interlocked.Exchange(ref failure, null);
        if (ex is not null) throw new IOException($"writing TensorBoard events to {FilePath} failed: {ex.Message}", ex);
    }
}
