using System.Text;

using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Transport;

/// <summary>
/// The kernel's five ZeroMQ sockets, bound only on the connection file's address: shell, control and stdin
/// (ROUTER), iopub (PUB) and heartbeat (REP). Shell and control each have a receiving thread, so an
/// interrupt on control is handled while a cell keeps the shell busy. Messages whose signature is missing
/// or wrong are logged and dropped before they reach the dispatcher.
/// </summary>
public sealed class ZmqKernelServer : IKernelTransport, IDisposable
{
    private const int PollMs = 100;
    private readonly ConnectionInfo info;
    private readonly KernelLog log;
    private readonly WireCodec codec;
    private readonly ZmqContext context = new();
    private readonly Dictionary<KernelChannel, ZmqSocket> sockets = new();
    private readonly ZmqSocket heartbeat;
    private readonly ManualResetEventSlim stopped = new();
    private volatile bool stopping;

    public ZmqKernelServer(ConnectionInfo info, KernelLog log)
    {
        this.info = info;
        this.log = log;
        codec = new WireCodec(new MessageSigner(info.Key));
        if (!codec.Signer.Enabled) log.Warn("the connection file has no key: message signatures are not checked");
        sockets[KernelChannel.Shell] = Bind(ZmqNative.ROUTER, info.ShellPort);
        sockets[KernelChannel.Control] = Bind(ZmqNative.ROUTER, info.ControlPort);
        sockets[KernelChannel.Stdin] = Bind(ZmqNative.ROUTER, info.StdinPort);
        sockets[KernelChannel.IOPub] = Bind(ZmqNative.PUB, info.IopubPort);
        heartbeat = Bind(ZmqNative.REP, info.HeartbeatPort);
    }

    /// <summary>Serves until <see cref="Stop"/>; returns once the receiving threads have ended (or stopped answering).</summary>
    public void Run(KernelDispatcher dispatcher)
    {
        var threads = new[]
        {
            new Thread(() => Receive(KernelChannel.Shell, dispatcher)) { IsBackground = true, Name = "shell" },
            new Thread(() => Receive(KernelChannel.Control, dispatcher)) { IsBackground = true, Name = "control" },
            new Thread(Heartbeat) { IsBackground = true, Name = "heartbeat" },
        };
        foreach (var t in threads) t.Start();
        dispatcher.PublishStarting();
        log.Info($"listening on {info.Ip} (shell {info.ShellPort}, iopub {info.IopubPort}, control {info.ControlPort}, stdin {info.StdinPort}, hb {info.HeartbeatPort})");
        stopped.Wait();
        // A shell thread stuck in a cell that ignores the interrupt cannot be joined: the process exits anyway.
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
    }

    public void Stop()
    {
        stopping = true;
        stopped.Set();
    }

    public void Send(KernelChannel channel, Message message)
    {
        if (channel == KernelChannel.IOPub)
        {
            // iopub's first frame is a topic; subscribers here take everything, the topic helps debugging.
            var topic = Encoding.UTF8.GetBytes($"kernel.{message.Header["session"]}.{message.MsgType}");
            message = new Message(message.Header, message.ParentHeader, message.Metadata, message.Content, new[] { topic }, message.Buffers);
        }
        var socket = sockets[channel];
        var frames = codec.Encode(message);
        lock (socket) socket.Send(frames);
    }

    public string RequestInput(Message inputRequest, CancellationToken cancel)
    {
        var socket = sockets[KernelChannel.Stdin];
        lock (socket)
        {
            socket.Send(codec.Encode(inputRequest));
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (stopping) throw new OperationCanceledException("the kernel is shutting down");
                if (socket.TryReceive(PollMs) is not { } frames) continue;
                var reply = codec.Decode(frames, out var error);
                if (reply is null) { log.Warn("stdin: " + error); continue; }
                if (reply.MsgType == "input_reply") return reply.Get("value", "");
                log.Warn($"stdin: unexpected {reply.MsgType} ignored");
            }
        }
    }

    public void Dispose()
    {
        foreach (var s in sockets.Values) s.Dispose();
        heartbeat.Dispose();
        context.Dispose();
    }

    private ZmqSocket Bind(int type, int port)
    {
        var socket = context.Socket(type);
        socket.Bind(info.Endpoint(port));
        return socket;
    }

    private void Receive(KernelChannel channel, KernelDispatcher dispatcher)
    {
        var socket = sockets[channel];
        while (!stopping)
        {
            List<byte[]>? frames;
            lock (socket) frames = socket.TryReceive(PollMs);
            if (frames is null) continue;
            var message = codec.Decode(frames, out var error);
            if (message is null)
            {
                log.Warn($"{channel}: {error}; ignored");
                continue;
            }
            dispatcher.Dispatch(channel, message);
            if (dispatcher.AbortingQueuedExecutes) DrainAborting(socket, channel, dispatcher);
        }
    }

    /// <summary>
    /// After a failed cell: answers "aborted" to the execute requests the client had sent before the failure
    /// (a notebook's Run All queues every cell at once). A request sent later is handled normally; the request
    /// header's date (the client's clock, normally this machine's) tells which is which.
    /// </summary>
    private void DrainAborting(ZmqSocket socket, KernelChannel channel, KernelDispatcher dispatcher)
    {
        while (dispatcher.AbortingQueuedExecutes)
        {
            List<byte[]>? frames;
            lock (socket) frames = socket.TryReceive(0);
            if (frames is null) break;
            if (codec.Decode(frames, out var error) is not { } queued)
            {
                log.Warn($"{channel}: {error}; ignored");
                continue;
            }
            if (queued.MsgType == "execute_request" && SentBefore(queued, dispatcher.FailedAt))
            {
                dispatcher.Abort(channel, queued);
                continue;
            }
            dispatcher.EndAbort();
            dispatcher.Dispatch(channel, queued); // if this one fails too, the loop goes on with its time
        }
        dispatcher.EndAbort();
    }

    private static bool SentBefore(Message message, DateTimeOffset time) =>
        !DateTimeOffset.TryParse((string?)message.Header["date"], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var sent) || sent <= time;

    private void Heartbeat()
    {
        while (!stopping)
            if (heartbeat.TryReceive(PollMs) is { } frames) heartbeat.Send(frames);
    }
}
