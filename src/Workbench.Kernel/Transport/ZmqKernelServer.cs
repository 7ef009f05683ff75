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
    private readonly ConnectionInfo _info;
    private readonly KernelLog _log;
    private readonly WireCodec _codec;
    private readonly ZmqContext _context = new();
    private readonly Dictionary<KernelChannel, ZmqSocket> _sockets = new();
    private readonly ZmqSocket _heartbeat;
    private readonly ManualResetEventSlim _stopped = new();
    private volatile bool _stopping;

    public ZmqKernelServer(ConnectionInfo info, KernelLog log)
    {
        _info = info;
        _log = log;
        _codec = new WireCodec(new MessageSigner(info.Key));
        if (!_codec.Signer.Enabled) log.Warn("the connection file has no key: message signatures are not checked");
        _sockets[KernelChannel.Shell] = Bind(ZmqNative.ROUTER, info.ShellPort);
        _sockets[KernelChannel.Control] = Bind(ZmqNative.ROUTER, info.ControlPort);
        _sockets[KernelChannel.Stdin] = Bind(ZmqNative.ROUTER, info.StdinPort);
        _sockets[KernelChannel.IOPub] = Bind(ZmqNative.PUB, info.IopubPort);
        _heartbeat = Bind(ZmqNative.REP, info.HeartbeatPort);
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
        _log.Info($"listening on {_info.Ip} (shell {_info.ShellPort}, iopub {_info.IopubPort}, control {_info.ControlPort}, stdin {_info.StdinPort}, hb {_info.HeartbeatPort})");
        _stopped.Wait();
        // A shell thread stuck in a cell that ignores the interrupt cannot be joined: the process exits anyway.
        foreach (var t in threads) t.Join(TimeSpan.FromSeconds(2));
    }

    public void Stop()
    {
        _stopping = true;
        _stopped.Set();
    }

    public void Send(KernelChannel channel, Message message)
    {
        if (channel == KernelChannel.IOPub)
        {
            // iopub's first frame is a topic; subscribers here take everything, the topic helps debugging.
            var topic = Encoding.UTF8.GetBytes($"kernel.{message.Header["session"]}.{message.MsgType}");
            message = new Message(message.Header, message.ParentHeader, message.Metadata, message.Content, new[] { topic }, message.Buffers);
        }
        var socket = _sockets[channel];
        var frames = _codec.Encode(message);
        lock (socket) socket.Send(frames);
    }

    public string RequestInput(Message inputRequest, CancellationToken cancel)
    {
        var socket = _sockets[KernelChannel.Stdin];
        lock (socket)
        {
            socket.Send(_codec.Encode(inputRequest));
            while (true)
            {
                cancel.ThrowIfCancellationRequested();
                if (_stopping) throw new OperationCanceledException("the kernel is shutting down");
                if (socket.TryReceive(PollMs) is not { } frames) continue;
                var reply = _codec.Decode(frames, out var error);
                if (reply is null) { _log.Warn("stdin: " + error); continue; }
                if (reply.MsgType == "input_reply") return reply.Get("value", "");
                _log.Warn($"stdin: unexpected {reply.MsgType} ignored");
            }
        }
    }

    public void Dispose()
    {
        foreach (var s in _sockets.Values) s.Dispose();
        _heartbeat.Dispose();
        _context.Dispose();
    }

    private ZmqSocket Bind(int type, int port)
    {
        var socket = _context.Socket(type);
        socket.Bind(_info.Endpoint(port));
        return socket;
    }

    private void Receive(KernelChannel channel, KernelDispatcher dispatcher)
    {
        var socket = _sockets[channel];
        while (!_stopping)
        {
            List<byte[]>? frames;
            lock (socket) frames = socket.TryReceive(PollMs);
            if (frames is null) continue;
            var message = _codec.Decode(frames, out var error);
            if (message is null)
            {
                _log.Warn($"{channel}: {error}; ignored");
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
            if (_codec.Decode(frames, out var error) is not { } queued)
            {
                _log.Warn($"{channel}: {error}; ignored");
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
        while (!_stopping)
            if (_heartbeat.TryReceive(PollMs) is { } frames) _heartbeat.Send(frames);
    }
}
