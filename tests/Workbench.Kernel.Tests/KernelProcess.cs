using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

using Workbench.Kernel.Protocol;
using Workbench.Kernel.Transport;

namespace Workbench.Kernel.Tests;

/// <summary>The real kernel (workbench-kernel.dll) started as Jupyter starts it: dotnet DLL -f CONNECTION_FILE.</summary>
public sealed class KernelProcess : IDisposable
{
    private readonly StringBuilder log = new();
    private readonly string dir = Directory.CreateTempSubdirectory("wb-kernel-e2e").FullName;

    public KernelProcess()
    {
        Info = new ConnectionInfo
        {
            Ip = "127.0.0.1", Key = Guid.NewGuid().ToString(),
            ShellPort = FreePort(), IopubPort = FreePort(), StdinPort = FreePort(), ControlPort = FreePort(), HeartbeatPort = FreePort(),
        };
        var file = Path.Combine(this.dir, "connection.json");
        Info.Save(file);
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, WorkingDirectory = this.dir };
        psi.ArgumentList.Add(KernelSpecInstaller.KernelDll);
        psi.ArgumentList.Add("-f");
        psi.ArgumentList.Add(file);
        Started = Stopwatch.StartNew();
        Process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start the kernel");
        Process.ErrorDataReceived += (_, e) => { lock (this.log) this.log.AppendLine(e.Data); };
        Process.OutputDataReceived += (_, e) => { lock (this.log) this.log.AppendLine(e.Data); };
        Process.BeginErrorReadLine();
        Process.BeginOutputReadLine();
    }

    public ConnectionInfo Info { get; }

    public Process Process { get; }

    public Stopwatch Started { get; }

    /// <summary>What the kernel wrote to stderr (its log).</summary>
    public string Log
    {
        get { lock (this.log) return this.log.ToString(); }
    }

    /// <summary>True once the log contains <paramref name="text"/> (stderr arrives asynchronously).</summary>
    public bool LogContains(string text, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!Log.Contains(text, StringComparison.Ordinal))
        {
            if (clock.Elapsed > timeout) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.WaitForExit();
        Process.Dispose();
        try { Directory.Delete(this.dir, recursive: true); } catch (IOException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A minimal Jupyter client over the kernel's own ZeroMQ binding: DEALER shell/control, SUB iopub, REQ heartbeat.</summary>
public sealed class KernelClient : IDisposable
{
    private readonly ZmqContext context = new();
    private readonly WireCodec codec;
    private readonly string session = Guid.NewGuid().ToString("N");

    public KernelClient(ConnectionInfo info)
    {
        this.codec = new WireCodec(new MessageSigner(info.Key));
        Shell = Connect(ZmqNative.DEALER, info.Endpoint(info.ShellPort));
        Control = Connect(ZmqNative.DEALER, info.Endpoint(info.ControlPort));
        Heartbeat = Connect(ZmqNative.REQ, info.Endpoint(info.HeartbeatPort));
        IOPub = this.context.Socket(ZmqNative.SUB);
        IOPub.SetOption(ZmqNative.SUBSCRIBE, Array.Empty<byte>());
        IOPub.Connect(info.Endpoint(info.IopubPort));
    }

    public ZmqSocket Shell { get; }

    public ZmqSocket Control { get; }

    public ZmqSocket IOPub { get; }

    public ZmqSocket Heartbeat { get; }

    public Message Request(string msgType, JsonObject? content = null) => Message.Create(msgType, content ?? new JsonObject(), this.session);

    public Message Send(ZmqSocket socket, string msgType, JsonObject? content = null)
    {
        var request = Request(msgType, content);
        socket.Send(this.codec.Encode(request));
        return request;
    }

    public List<byte[]> Encode(Message message) => this.codec.Encode(message);

    /// <summary>The next message on <paramref name="socket"/>, or null after <paramref name="timeout"/>.</summary>
    public Message? Receive(ZmqSocket socket, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (socket.TryReceive(50) is not { } frames) continue;
            return this.codec.Decode(frames, out var error) ?? throw new InvalidOperationException("the kernel sent an invalid message: " + error);
        }
        return null;
    }

    /// <summary>iopub messages caused by <paramref name="parent"/> up to and including its "idle" status.</summary>
    public List<Message> IOPubUntilIdle(Message parent, TimeSpan timeout)
    {
        var messages = new List<Message>();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var m = Receive(IOPub, TimeSpan.FromMilliseconds(200));
            if (m is null || (string?)m.ParentHeader["msg_id"] != parent.MsgId) continue;
            messages.Add(m);
            if (m.MsgType == "status" && (string?)m.Content["execution_state"] == "idle") return messages;
        }
        throw new TimeoutException($"no idle status for {parent.MsgType} within {timeout}; got {string.Join(", ", messages.Select(x => x.MsgType))}");
    }

    /// <summary>
    /// Waits until the kernel answers kernel_info and its iopub reaches us (a SUB socket misses whatever was
    /// published before its subscription was in place), as Jupyter clients do.
    /// </summary>
    public Message WaitForReady(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            var request = Send(Shell, "kernel_info_request");
            var reply = Receive(Shell, timeout - deadline.Elapsed) ?? throw new TimeoutException("no kernel_info_reply");
            var iopubSeen = false;
            var until = Stopwatch.StartNew();
            while (!iopubSeen && until.ElapsedMilliseconds < 500)
                iopubSeen = Receive(IOPub, TimeSpan.FromMilliseconds(100)) is { } m && (string?)m.ParentHeader["msg_id"] == request.MsgId;
            if (iopubSeen) return reply;
        }
        throw new TimeoutException("the kernel did not become ready");
    }

    public void Dispose()
    {
        Shell.Dispose();
        Control.Dispose();
        IOPub.Dispose();
        Heartbeat.Dispose();
        this.context.Dispose();
    }

    private ZmqSocket Connect(int type, string endpoint)
    {
        var socket = this.context.Socket(type);
        socket.Connect(endpoint);
        return socket;
    }
}
