using System.Runtime.InteropServices;
using System.Text;

namespace Workbench.Kernel.Transport;

/// <summary>The few libzmq (Debian's libzmq5) entry points the kernel needs.</summary>
internal static unsafe partial class ZmqNative
{
    private const string Lib = "libzmq.so.5";

    public const int PUB = 1, SUB = 2, REQ = 3, REP = 4, DEALER = 5, ROUTER = 6;
    public const int DONTWAIT = 1, SNDMORE = 2;
    public const int POLLIN = 1;
    public const int LINGER = 17, IDENTITY = 5, SUBSCRIBE = 6, RCVTIMEO = 27;
    public const int EAGAIN = 11, EINTR = 4;
    public const int ETERM = 156384712 + 53;

    /// <summary>zmq_msg_t: 64 opaque bytes, 8-byte aligned.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 64)]
    public struct Msg
    {
        private long first;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct PollItem
    {
        public IntPtr Socket;
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport(Lib, EntryPoint = "zmq_ctx_new")] public static partial IntPtr CtxNew();
    [LibraryImport(Lib, EntryPoint = "zmq_ctx_term")] public static partial int CtxTerm(IntPtr ctx);
    [LibraryImport(Lib, EntryPoint = "zmq_socket")] public static partial IntPtr Socket(IntPtr ctx, int type);
    [LibraryImport(Lib, EntryPoint = "zmq_close")] public static partial int Close(IntPtr socket);
    [LibraryImport(Lib, EntryPoint = "zmq_bind", StringMarshalling = StringMarshalling.Utf8)] public static partial int Bind(IntPtr socket, string endpoint);
    [LibraryImport(Lib, EntryPoint = "zmq_connect", StringMarshalling = StringMarshalling.Utf8)] public static partial int Connect(IntPtr socket, string endpoint);
    [LibraryImport(Lib, EntryPoint = "zmq_setsockopt")] public static partial int SetSockOpt(IntPtr socket, int option, void* value, nuint size);
    [LibraryImport(Lib, EntryPoint = "zmq_getsockopt")] public static partial int GetSockOpt(IntPtr socket, int option, void* value, nuint* size);
    [LibraryImport(Lib, EntryPoint = "zmq_send")] public static partial int Send(IntPtr socket, byte* buffer, nuint length, int flags);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_init")] public static partial int MsgInit(Msg* msg);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_recv")] public static partial int MsgRecv(Msg* msg, IntPtr socket, int flags);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_data")] public static partial byte* MsgData(Msg* msg);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_size")] public static partial nuint MsgSize(Msg* msg);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_more")] public static partial int MsgMore(Msg* msg);
    [LibraryImport(Lib, EntryPoint = "zmq_msg_close")] public static partial int MsgClose(Msg* msg);
    [LibraryImport(Lib, EntryPoint = "zmq_poll")] public static partial int Poll(PollItem* items, int count, long timeoutMs);
    [LibraryImport(Lib, EntryPoint = "zmq_errno")] public static partial int Errno();
    [LibraryImport(Lib, EntryPoint = "zmq_strerror")] public static partial IntPtr StrError(int errnum);

    public static ZmqException Error(string what)
    {
        var code = Errno();
        return new ZmqException(code, $"{what}: {Marshal.PtrToStringUTF8(StrError(code))} (errno {code})");
    }
}

public sealed class ZmqException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}

/// <summary>A ZeroMQ context; dispose it after every socket.</summary>
public sealed class ZmqContext : IDisposable
{
    private IntPtr handle = ZmqNative.CtxNew();

    internal IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(ZmqContext));

    public ZmqSocket Socket(int type) => new(this, type);

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) ZmqNative.CtxTerm(h);
    }
}

/// <summary>
/// One ZeroMQ socket speaking multipart messages. ZeroMQ sockets are not thread-safe: each is used by one
/// thread, or under a lock by its owner.
/// </summary>
public sealed unsafe class ZmqSocket : IDisposable
{
    private IntPtr handle;

    internal ZmqSocket(ZmqContext context, int type)
    {
        handle = ZmqNative.Socket(context.Handle, type);
        if (handle == IntPtr.Zero) throw ZmqNative.Error("zmq_socket");
        // Wait at most half a second at close for unsent messages (a shutdown reply, the last idle status).
        SetOption(ZmqNative.LINGER, 500);
    }

    private IntPtr Handle => handle != IntPtr.Zero ? handle : throw new ObjectDisposedException(nameof(ZmqSocket));

    public void SetOption(int option, int value)
    {
        if (ZmqNative.SetSockOpt(Handle, option, &value, sizeof(int)) != 0) throw ZmqNative.Error("zmq_setsockopt");
    }

    public void SetOption(int option, byte[] value)
    {
        fixed (byte* p = value)
            if (ZmqNative.SetSockOpt(Handle, option, p, (nuint)value.Length) != 0) throw ZmqNative.Error("zmq_setsockopt");
    }

    public void Bind(string endpoint)
    {
        if (ZmqNative.Bind(Handle, endpoint) != 0) throw ZmqNative.Error("zmq_bind " + endpoint);
    }

    public void Connect(string endpoint)
    {
        if (ZmqNative.Connect(Handle, endpoint) != 0) throw ZmqNative.Error("zmq_connect " + endpoint);
    }

    public void Send(IReadOnlyList<byte[]> frames)
    {
        for (var i = 0; i < frames.Count; i++)
        {
            var flags = i < frames.Count - 1 ? ZmqNative.SNDMORE : 0;
            fixed (byte* p = frames[i])
            {
                while (ZmqNative.Send(Handle, p, (nuint)frames[i].Length, flags) < 0)
                {
                    if (ZmqNative.Errno() != ZmqNative.EINTR) throw ZmqNative.Error("zmq_send");
                }
            }
        }
    }

    public void Send(params string[] frames) => Send(frames.Select(Encoding.UTF8.GetBytes).ToArray());

    /// <summary>Waits up to <paramref name="timeoutMs"/> for a message; null when none came.</summary>
    public List<byte[]>? TryReceive(int timeoutMs)
    {
        var item = new ZmqNative.PollItem { Socket = Handle, Events = ZmqNative.POLLIN };
        var n = ZmqNative.Poll(&item, 1, timeoutMs);
        if (n < 0)
        {
            if (ZmqNative.Errno() == ZmqNative.EINTR) return null;
            throw ZmqNative.Error("zmq_poll");
        }
        if (n == 0 || (item.Revents & ZmqNative.POLLIN) == 0) return null;
        return ReceiveMultipart();
    }

    private List<byte[]> ReceiveMultipart()
    {
        var frames = new List<byte[]>();
        ZmqNative.Msg msg;
        while (true)
        {
            ZmqNative.MsgInit(&msg);
            try
            {
                while (ZmqNative.MsgRecv(&msg, Handle, 0) < 0)
                {
                    if (ZmqNative.Errno() != ZmqNative.EINTR) throw ZmqNative.Error("zmq_msg_recv");
                }
                frames.Add(new ReadOnlySpan<byte>(ZmqNative.MsgData(&msg), checked((int)ZmqNative.MsgSize(&msg))).ToArray());
                if (ZmqNative.MsgMore(&msg) == 0) return frames;
            }
            finally
            {
                ZmqNative.MsgClose(&msg);
            }
        }
    }

    public void Dispose()
    {
        var h = Interlocked.Exchange(ref handle, IntPtr.Zero);
        if (h != IntPtr.Zero) ZmqNative.Close(h);
    }
}
