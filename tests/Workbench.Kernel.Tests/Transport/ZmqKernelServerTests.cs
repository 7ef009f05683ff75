using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;

using Xunit.Abstractions;

using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Transport;

/// <summary>One kernel process shared by the end-to-end tests (a start costs seconds of the 2-core CI machine).</summary>
public sealed class KernelFixture : IDisposable
{
    public KernelFixture()
    {
        Kernel = new KernelProcess();
        Client = new KernelClient(Kernel.Info);
        Info = Client.WaitForReady(ZmqKernelServerTests.Patience);
        ReadyAfter = Kernel.Started.Elapsed;
        // The first cell right away, as nbconvert does: the kernel start to first result time.
        FirstReply = ZmqKernelServerTests.Execute(Client, "1 + 2", out var iopub);
        FirstResultAfter = Kernel.Started.Elapsed;
        FirstIOPub = iopub;
    }

    public KernelProcess Kernel { get; }

    public KernelClient Client { get; }

    public Message Info { get; }

    public TimeSpan ReadyAfter { get; }

    public Message FirstReply { get; }

    public List<Message> FirstIOPub { get; }

    public TimeSpan FirstResultAfter { get; }

    public void Dispose()
    {
        Client.Dispose();
        Kernel.Dispose();
    }
}

/// <summary>End to end: the real kernel process, spoken to over ZeroMQ with a connection file, as Jupyter does.</summary>
public sealed class ZmqKernelServerTests(KernelFixture fixture, ITestOutputHelper output) : IClassFixture<KernelFixture>
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly KernelProcess kernel = fixture.Kernel;
    private readonly KernelClient client = fixture.Client;
    private readonly ITestOutputHelper output = output;

    internal static Message Execute(KernelClient client, string code, out List<Message> iopub)
    {
        var request = client.Send(client.Shell, "execute_request", new JsonObject { ["code"] = code, ["silent"] = false, ["store_history"] = true, ["allow_stdin"] = false });
        var reply = client.Receive(client.Shell, Patience) ?? throw new TimeoutException("no execute_reply for " + code);
        iopub = client.IOPubUntilIdle(request, Patience);
        return reply;
    }

    private Message Execute(string code, out List<Message> iopub) => Execute(this.client, code, out iopub);

    [Fact]
    public void ExecutesCellsAndReportsStartToFirstResultTime()
    {
        Assert.Equal("csharp", (string?)fixture.Info.Content["language_info"]!["name"]);
        Assert.Equal("ok", (string?)fixture.FirstReply.Content["status"]);
        Assert.Equal("3", (string?)fixture.FirstIOPub.Single(m => m.MsgType == "execute_result").Content["data"]!["text/plain"]);
        this.output.WriteLine($"kernel start to kernel_info_reply: {fixture.ReadyAfter.TotalSeconds:F2} s; to first execute_result: {fixture.FirstResultAfter.TotalSeconds:F2} s");

        var second = Stopwatch.StartNew();
        Execute("var t = torch.arange(6).reshape(2, 3); Console.WriteLine(t.shape[1]); t", out var iopub);
        this.output.WriteLine($"second cell (tensor): {second.Elapsed.TotalSeconds:F2} s");
        Assert.Equal("3\n", (string?)iopub.Single(m => m.MsgType == "stream").Content["text"]);
        var data = iopub.Single(m => m.MsgType == "execute_result").Content["data"]!;
        Assert.StartsWith("tensor([[0, 1, 2],", (string?)data["text/plain"]);
        Assert.StartsWith("<pre>tensor(", (string?)data["text/html"]);
    }

    [Fact]
    public void AnErrorAbortsTheCellsQueuedBehindIt()
    {
        // As a notebook's "Run All" does: every request sent before the first one finishes.
        var requests = new[] { "throw new InvalidOperationException(\"stop\");", "var neverRun = 1;", "2 + 2" }
            .Select(code => this.client.Send(this.client.Shell, "execute_request", new JsonObject { ["code"] = code, ["stop_on_error"] = true }))
            .ToList();
        var statuses = requests.Select(r =>
        {
            var reply = this.client.Receive(this.client.Shell, Patience) ?? throw new TimeoutException("missing execute_reply");
            Assert.Equal(r.MsgId, (string?)reply.ParentHeader["msg_id"]);
            return (string?)reply.Content["status"];
        }).ToList();
        Assert.Equal(new[] { "error", "aborted", "aborted" }, statuses);
        Assert.Equal("ok", (string?)Execute("1", out _).Content["status"]);
    }

    [Fact]
    public void UnsignedAndMisSignedMessagesAreIgnored()
    {
        var unsigned = this.client.Encode(this.client.Request("kernel_info_request"));
        unsigned[unsigned.FindIndex(f => f.AsSpan().SequenceEqual(WireCodec.Delimiter)) + 1] = Array.Empty<byte>();
        this.client.Shell.Send(unsigned);
        var forged = new WireCodec(new MessageSigner("not the key")).Encode(this.client.Request("execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"pwned\")" }));
        this.client.Shell.Send(forged);
        var good = this.client.Send(this.client.Shell, "kernel_info_request");

        // Messages are handled in order, so the first reply answers the good request only if the others were dropped.
        var reply = this.client.Receive(this.client.Shell, Patience);
        Assert.NotNull(reply);
        Assert.Equal(good.MsgId, (string?)reply.ParentHeader["msg_id"]);
        Assert.True(this.kernel.LogContains("unsigned message rejected", TimeSpan.FromSeconds(10)), this.kernel.Log);
        Assert.True(this.kernel.LogContains("bad signature", TimeSpan.FromSeconds(10)), this.kernel.Log);
    }

    [Fact]
    public void InterruptOnControlStopsAnInfiniteLoopWithinTwoSeconds()
    {
        var request = this.client.Send(this.client.Shell, "execute_request", new JsonObject { ["code"] = "Console.WriteLine(\"spinning\");\nwhile (true) { }" });
        // The cell has compiled and runs once its output arrives.
        while (this.client.Receive(this.client.IOPub, Patience) is { } m && !(m.MsgType == "stream" && (string?)m.ParentHeader["msg_id"] == request.MsgId)) { }
        Thread.Sleep(100);

        var clock = Stopwatch.StartNew();
        this.client.Send(this.client.Control, "interrupt_request");
        var interruptReply = this.client.Receive(this.client.Control, TimeSpan.FromSeconds(2));
        var reply = this.client.Receive(this.client.Shell, TimeSpan.FromSeconds(2) - clock.Elapsed);
        this.output.WriteLine($"interrupt to execute_reply: {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal("interrupt_reply", interruptReply?.MsgType);
        Assert.NotNull(reply);
        Assert.Equal("error", (string?)reply.Content["status"]);
        Assert.Equal("ExecutionInterruptedException", (string?)reply.Content["ename"]);

        Assert.Equal("ok", (string?)Execute("\"still here\"", out var iopub).Content["status"]);
        Assert.Contains(iopub, m => m.MsgType == "execute_result");
    }
}

/// <summary>Heartbeat and shutdown, on a kernel of its own (the shutdown ends it).</summary>
public class KernelLifetimeTests
{
    [Fact]
    public void HeartbeatEchoesAndShutdownEndsTheProcess()
    {
        using var kernel = new KernelProcess();
        using var client = new KernelClient(kernel.Info);
        client.WaitForReady(ZmqKernelServerTests.Patience);
        client.Heartbeat.Send(new[] { Encoding.ASCII.GetBytes("ping") });
        var echo = client.Heartbeat.TryReceive(10_000);
        Assert.Equal("ping", Encoding.ASCII.GetString(Assert.Single(echo!)));

        client.Send(client.Control, "shutdown_request", new JsonObject { ["restart"] = false });
        var reply = client.Receive(client.Control, ZmqKernelServerTests.Patience);
        Assert.Equal("shutdown_reply", reply?.MsgType);
        Assert.True(kernel.Process.WaitForExit(TimeSpan.FromSeconds(30)), "the kernel did not exit after shutdown_reply");
        Assert.Equal(0, kernel.Process.ExitCode);
    }
}
