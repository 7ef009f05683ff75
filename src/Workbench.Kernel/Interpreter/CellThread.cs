using System.Collections.Concurrent;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// The one thread that runs cells: a known thread the interrupt can target (Thread.Interrupt wakes it from
/// Sleep/Wait/Join), with a large stack because notebook code recurses more than service code does.
/// </summary>
internal sealed class CellThread : IDisposable
{
    private const int StackSize = 64 * 1024 * 1024;
    private readonly BlockingCollection<Action> work = new();
    private readonly Thread thread;

    public CellThread()
    {
        thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "cell" };
        thread.Start();
    }

    public bool IsCurrent => Thread.CurrentThread == thread;

    /// <summary>Runs <paramref name="work"/> on the cell thread and waits for it.</summary>
    public T Run<T>(Func<T> work)
    {
        if (IsCurrent) return work();
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        this.work.Add(() =>
        {
            try { done.SetResult(work()); }
            catch (Exception e) { done.SetException(e); }
        });
        return done.Task.GetAwaiter().GetResult();
    }

    /// <summary>Queues <paramref name="work"/> without waiting (exceptions must be handled by it).</summary>
    public void Post(Action work) => this.work.Add(work);

    /// <summary>Wakes the thread if it is blocked in Sleep/Wait/Join (an interrupt of a sleeping cell).</summary>
    public void WakeIfBlocked()
    {
        if ((thread.ThreadState & ThreadState.WaitSleepJoin) != 0) thread.Interrupt();
    }

    /// <summary>Drops a Thread.Interrupt that arrived after the cell it was meant for had already finished.</summary>
    public static void ClearPendingInterrupt()
    {
        try { Thread.Sleep(0); }
        catch (ThreadInterruptedException) { }
    }

    private void Loop()
    {
        while (true)
        {
            Action work;
            try
            {
                work = this.work.Take();
            }
            catch (ThreadInterruptedException)
            {
                continue;
            }
            catch (InvalidOperationException)
            {
                return; // completed: the interpreter is disposed
            }
            work();
        }
    }

    public void Dispose() => work.CompleteAdding();
}
