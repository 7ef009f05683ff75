using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Dispatch;

public enum KernelChannel { Shell, Control, IOPub, Stdin }

/// <summary>What the dispatcher needs from the wire; ZeroMQ in the kernel, a list in the tests.</summary>
public interface IKernelTransport
{
    /// <summary>Sends a message (thread-safe). Replies carry the request's identities.</summary>
    void Send(KernelChannel channel, Message message);

    /// <summary>Sends an input_request on stdin and waits for the input_reply's value.</summary>
    string RequestInput(Message inputRequest, CancellationToken cancel);
}

/// <summary>The kernel's log: the process's real stderr, which Jupyter shows in its server log.</summary>
public sealed class KernelLog(TextWriter writer)
{
    private readonly object gate = new();

    public static KernelLog Silent { get; } = new(TextWriter.Null);

    public void Info(string text) => Write("info", text);

    public void Warn(string text) => Write("warn", text);

    public void Error(string text) => Write("error", text);

    private void Write(string level, string text)
    {
        lock (gate)
        {
            writer.WriteLine($"[workbench-kernel {DateTime.Now:HH:mm:ss.fff} {level}] {text}");
            writer.Flush();
        }
    }
}
