using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Dispatch;

/// <summary>
/// The outputs of one execute_request, published on iopub with it as parent. Console text is buffered and sent
/// every 50 ms (a loop printing lines would otherwise send one message per line), and always flushed before a
/// display, an error or the end of the cell, so outputs keep their order.
/// </summary>
internal sealed class CellOutput : ICellSink, IDisposable
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromMilliseconds(50);
    private readonly IKernelTransport transport;
    private readonly Message request;
    private readonly string session;
    private readonly bool allowStdin;
    private readonly CancellationToken cancel;
    private readonly object gate = new();
    private readonly List<(string Name, StringBuilder Text)> pending = new();
    private readonly Timer timer;
    private bool closed;

    public CellOutput(IKernelTransport transport, Message request, string session, bool allowStdin, CancellationToken cancel)
    {
        this.transport = transport;
        this.request = request;
        this.session = session;
        this.allowStdin = allowStdin;
        this.cancel = cancel;
        timer = new Timer(_ => Flush(), null, FlushInterval, FlushInterval);
    }

    public void WriteStream(string name, string text)
    {
        lock (gate)
        {
            if (pending.Count > 0 && pending[^1].Name == name) pending[^1].Text.Append(text);
            else pending.Add((name, new StringBuilder(text)));
            if (closed) FlushLocked(); // a background thread writing after its cell ended: no timer any more
        }
    }

    public void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
    {
        lock (gate)
        {
            FlushLocked();
            Send(update ? "update_display_data" : "display_data", new JsonObject
            {
                ["data"] = ToData(bundle),
                ["metadata"] = new JsonObject(),
                ["transient"] = new JsonObject { ["display_id"] = displayId },
            });
        }
    }

    public void ClearOutput(bool wait)
    {
        lock (gate)
        {
            FlushLocked();
            Send("clear_output", new JsonObject { ["wait"] = wait });
        }
    }

    public string ReadInput(string prompt, bool password)
    {
        if (!allowStdin) throw new InvalidOperationException("this front end does not accept input (allow_stdin is false)");
        Flush();
        var request = Message.Create("input_request", new JsonObject { ["prompt"] = prompt, ["password"] = password }, session, this.request, this.request.Identities);
        return transport.RequestInput(request, cancel);
    }

    /// <summary>Sends any buffered console text now.</summary>
    public void Flush()
    {
        lock (gate) FlushLocked();
    }

    /// <summary>Publishes iopub content with this cell's request as parent (error, execute_result).</summary>
    public void Send(string msgType, JsonObject content)
    {
        lock (gate)
        {
            FlushLocked();
            transport.Send(KernelChannel.IOPub, Message.Create(msgType, content, session, request));
        }
    }

    /// <summary>Turns a MIME bundle into protocol data: JSON types as JSON, everything else as strings.</summary>
    public static JsonObject ToData(IReadOnlyDictionary<string, string> bundle)
    {
        var data = new JsonObject();
        foreach (var (mime, value) in bundle)
        {
            JsonNode? node = JsonValue.Create(value);
            if (mime.EndsWith("json", StringComparison.Ordinal))
            {
                try { node = JsonNode.Parse(value) ?? node; }
                catch (JsonException) { }
            }
            data[mime] = node;
        }
        return data;
    }

    /// <summary>Stops the timer; later writes (from background threads) are sent at once.</summary>
    public void Dispose()
    {
        lock (gate)
        {
            closed = true;
            FlushLocked();
        }
        timer.Dispose();
    }

    private void FlushLocked()
    {
        foreach (var (name, text) in pending)
            transport.Send(KernelChannel.IOPub, Message.Create("stream", new JsonObject { ["name"] = name, ["text"] = text.ToString() }, session, request));
        pending.Clear();
    }
}
