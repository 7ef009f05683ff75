using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

using Xunit.Abstractions;

using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Transport;

/// <summary>End to end: the real kernel process, spoken to over ZeroMQ with a connection file, as Jupyter does.</summary>
public sealed class ZmqKernelServerTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly ITestOutputHelper _output;
    private readonly KernelProcess _kernel = new();
    private readonly KernelClient _client;

    public ZmqKernelServerTests(ITestOutputHelper output)
    {
        _output = output;
        _client = new KernelClient(_kernel.Info);
    }

    public void Dispose()
    {
        _client.Dispose();
        _kernel.Dispose();
    }

    private Message Execute(string code, out List<Message> iopub)
    {
        var request = _client.Send(_client.Shell, "execute_request", new JsonObject { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["allow_stdin"] = false });
        var reply = _client.Receive(_client.Shell, Patience) ?? throw new TimeoutException("no execute_reply for " + code);
        iopub = _client.IOPubUntilIdle(request, Patience);
        return reply;
    }

    [Fact]
    public void ExecutesCellsAndReportsStartToFirstResultTime()
    {
        var info = _client.WaitForReady(Patience);
        var ready = _kernel.Started.Elapsed;
        Assert.Equal("csharp", (string?)info.Content["language_info"]!["name"]);

        var reply = Execute("1 + 2", out var iopub);
        var firstResult = _kernel.Started.Elapsed;
        Assert.Equal("ok", (string?)reply.Content["status"]);
        Assert.Equal("3", (string?)iopub.Single(m => m.MsgType == "execute_result").Content["data"]!["text/plain"]);
        _output.WriteLine($"kernel start to kernel_info_reply: {ready.TotalSeconds:F2} s; to first execute_result: {firstResult.TotalSeconds:F2} s");

        var second = Stopwatch.StartNew();
        Execute("var t = torch.arange(6).reshape(2, 3); Console.WriteLine(t.shape[1]); t", out iopub);
        _output.WriteLine($"second cell (tensor): {second.Elapsed.TotalSeconds:F2} s");
        Assert.Equal("3\n", (string?)iopub.Single(m => m.MsgType == "stream").Content["text"]);
        var data = iopub.Single(m => m.MsgType == "execute_result").Content["data"]!;
        Assert.StartsWith("tensor([[0, 1, 2],", (string?)data["text/plain"]);
        Assert.StartsWith("<pre>tensor(", (string?)data["text/html"]);
    }

    [Fact]
    public void UnsignedAndMisSignedMessagesAreIgnored()
    {
        _client.WaitForReady(Patience);
        var unsigned = _client.Encode(_client.Request("kernel_info_request"));
        unsigned[unsigned.FindIndex(f => f.AsSpan().SequenceEqual(WireCodec.Delimiter)) + 1] = Array.Empty<byte>();
        _client.Shell.Send(unsigned);
        var forged = new WireCodec(new MessageSigner("not the key")).Encode(_client.Request("execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"pwned\")" }));
        _client.Shell.Send(forged);
        var good = _client.Send(_client.Shell, "kernel_info_request");

        // Messages are handled in order, so the first reply answers the good request only if the others were dropped.
        var reply = _client.Receive(_client.Shell, Patience);
        Assert.NotNull(reply);
        Assert.Equal(good.MsgId, (string?)reply.ParentHeader["msg_id"]);
        Assert.True(_kernel.LogContains("unsigned message rejected", TimeSpan.FromSeconds(10)), _kernel.Log);
        Assert.True(_kernel.LogContains("bad signature", TimeSpan.FromSeconds(10)), _kernel.Log);
    }

    [Fact]
    public void InterruptOnControlStopsAnInfiniteLoopWithinTwoSeconds()
    {
        _client.WaitForReady(Patience);
        var request = _client.Send(_client.Shell, "execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"spinning\");\nwhile (true) { }" });
        // The cell has compiled and runs once its output arrives.
        while (_client.Receive(_client.IOPub, Patience) is { } m && !(m.MsgType == "stream" && (string?)m.ParentHeader["msg_id"] == request.MsgId)) { }
        Thread.Sleep(100);

        var clock = Stopwatch.StartNew();
        _client.Send(_client.Control, "interrupt_request");
        var interruptReply = _client.Receive(_client.Control, TimeSpan.FromSeconds(2));
        var reply = _client.Receive(_client.Shell, TimeSpan.FromSeconds(2) - clock.Elapsed);
        _output.WriteLine($"interrupt to execute_reply: {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal("interrupt_reply", interruptReply?.MsgType);
        Assert.NotNull(reply);
        Assert.Equal("error", (string?)reply.Content["status"]);
        Assert.Equal("ExecutionInterruptedException", (string?)reply.Content["ename"]);

        Assert.Equal("ok", (string?)Execute("\"still here\"", out var iopub).Content["status"]);
        Assert.Contains(iopub, m => m.MsgType == "execute_result");
    }

    [Fact]
    public void HeartbeatEchoesAndShutdownEndsTheProcess()
    {
        _client.WaitForReady(Patience);
        _client.Heartbeat.Send(new[] { Encoding.ASCII.GetBytes("ping") });
        var echo = _client.Heartbeat.TryReceive(10_000);
        Assert.Equal("ping", Encoding.ASCII.GetString(Assert.Single(echo!)));

        _client.Send(_client.Control, "shutdown_request", new JsonObject { ["restart"] = false });
        var reply = _client.Receive(_client.Control, Patience);
        Assert.Equal("shutdown_reply", reply?.MsgType);
        Assert.True(_kernel.Process.WaitForExit(TimeSpan.FromSeconds(30)), "the kernel did not exit after shutdown_reply");
        Assert.Equal(0, _kernel.Process.ExitCode);
    }
}
