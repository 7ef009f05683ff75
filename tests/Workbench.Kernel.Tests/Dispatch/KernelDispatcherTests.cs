using System.Text.Json.Nodes;

using Workbench.Display;
using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Dispatch;

public class KernelDispatcherTests
{
    private readonly FakeTransport transport = new();
    private readonly FakeInterpreter interpreter = new();
    private readonly StringWriter log = new();
    private readonly KernelDispatcher dispatcher;

    public KernelDispatcherTests() => this.dispatcher = new KernelDispatcher(this.transport, this.interpreter, new KernelLog(this.log));

    private static Message Request(string type, JsonObject? content = null) =>
        Message.Create(type, content ?? new JsonObject(), "client", identities: new[] { "peer"u8.ToArray() });

    private Message Dispatch(string type, JsonObject? content = null, KernelChannel channel = KernelChannel.Shell)
    {
        var request = Request(type, content);
        this.dispatcher.Dispatch(channel, request);
        return request;
    }

    private Message Reply(KernelChannel channel = KernelChannel.Shell) => Assert.Single(this.transport.Sent, s => s.Channel == channel).Message;

    private List<string> IOPubTypes() => this.transport.IOPub.Select(m => m.MsgType == "status" ? "status:" + m.Content["execution_state"] : m.MsgType).ToList();

    [Theory]
    [InlineData("kernel_info_request")]
    [InlineData("comm_info_request")]
    [InlineData("no_such_request")]
    public void EveryMessageIsWrappedInBusyAndIdle(string type)
    {
        var request = Dispatch(type);
        var iopub = this.transport.IOPub;
        Assert.Equal("status:busy", IOPubTypes()[0]);
        Assert.Equal("status:idle", IOPubTypes()[^1]);
        Assert.All(iopub, m => Assert.Equal(request.MsgId, (string?)m.ParentHeader["msg_id"]));
    }

    [Fact]
    public void AHandlerThatThrowsIsLoggedAndTheKernelGoesIdle()
    {
        Dispatch("is_complete_request", new JsonObject { ["code"] = "throw" });
        Assert.Contains("fake failure", this.log.ToString());
        Assert.Equal(new[] { "status:busy", "status:idle" }, IOPubTypes());
    }

    [Fact]
    public void KernelInfoDescribesCSharpAndProtocol53()
    {
        var request = Dispatch("kernel_info_request");
        var reply = Reply();
        Assert.Equal("kernel_info_reply", reply.MsgType);
        Assert.Equal(request.MsgId, (string?)reply.ParentHeader["msg_id"]);
        Assert.Equal("peer"u8.ToArray(), Assert.Single(reply.Identities));
        Assert.Equal("5.3", (string?)reply.Content["protocol_version"]);
        Assert.Equal("csharp", (string?)reply.Content["language_info"]!["name"]);
        Assert.Equal(".cs", (string?)reply.Content["language_info"]!["file_extension"]);
    }

    [Fact]
    public void ExecutePublishesInputOutputsResultThenReplies()
    {
        this.interpreter.OnExecute = (code, sink) =>
        {
            sink.WriteStream("stdout", "hello ");
            sink.WriteStream("stdout", "world\n");
            sink.Publish(new Dictionary<string, string> { ["text/plain"] = "shown" }, "d1", update: false);
            sink.Publish(new Dictionary<string, string> { ["text/plain"] = "changed" }, "d1", update: true);
            return ExecutionOutcome.Result(42);
        };
        Dispatch("execute_request", new JsonObject { ["code"] = "42" });

        Assert.Equal(new[] { "status:busy", "execute_input", "stream", "display_data", "update_display_data", "execute_result", "status:idle" }, IOPubTypes());
        var iopub = this.transport.IOPub;
        Assert.Equal("hello world\n", (string?)iopub[2].Content["text"]);
        Assert.Equal("d1", (string?)iopub[3].Content["transient"]!["display_id"]);
        Assert.Equal("42", (string?)iopub[5].Content["data"]!["text/plain"]);
        var reply = Reply();
        Assert.Equal("ok", (string?)reply.Content["status"]);
        Assert.Equal(1, (int)reply.Content["execution_count"]!);
    }

    [Fact]
    public void ExecuteErrorPublishesErrorAndAnErrorReply()
    {
        this.interpreter.OnExecute = (_, _) => ExecutionOutcome.Failed(new ErrorInfo("DivideByZeroException", "Attempted to divide by zero.", new[] { "trace line" }));
        Dispatch("execute_request", new JsonObject { ["code"] = "1/0" });
        var error = Assert.Single(this.transport.IOPub, m => m.MsgType == "error");
        Assert.Equal("DivideByZeroException", (string?)error.Content["ename"]);
        var reply = Reply();
        Assert.Equal("error", (string?)reply.Content["status"]);
        Assert.Equal("trace line", (string?)reply.Content["traceback"]![0]);
    }

    [Fact]
    public void AFailedCellAbortsQueuedExecutesUnlessStopOnErrorIsOff()
    {
        this.interpreter.OnExecute = (code, _) => code == "bad" ? ExecutionOutcome.Failed(new ErrorInfo("E", "e", Array.Empty<string>())) : ExecutionOutcome.NoValue;
        Dispatch("execute_request", new JsonObject { ["code"] = "bad", ["stop_on_error"] = false });
        Assert.False(this.dispatcher.AbortingQueuedExecutes);
        Dispatch("execute_request", new JsonObject { ["code"] = "bad" });
        Assert.True(this.dispatcher.AbortingQueuedExecutes);

        var queued = Request("execute_request", new JsonObject { ["code"] = "next" });
        this.dispatcher.Abort(KernelChannel.Shell, queued);
        this.dispatcher.EndAbort();
        var reply = this.transport.Sent.Last(s => s.Channel == KernelChannel.Shell).Message;
        Assert.Equal("aborted", (string?)reply.Content["status"]);
        Assert.Equal(queued.MsgId, (string?)reply.ParentHeader["msg_id"]);
        Assert.DoesNotContain("next", this.interpreter.Executed);
        Assert.False(this.dispatcher.AbortingQueuedExecutes);
    }

    [Fact]
    public void ExecutionCountGrowsOnlyWithStoredHistoryAndSilentHidesInputAndResult()
    {
        this.interpreter.OnExecute = (_, _) => ExecutionOutcome.Result("x");
        Dispatch("execute_request", new JsonObject { ["code"] = "a" });
        Dispatch("execute_request", new JsonObject { ["code"] = "b", ["silent"] = true });
        Dispatch("execute_request", new JsonObject { ["code"] = "c", ["store_history"] = false });
        Dispatch("execute_request", new JsonObject { ["code"] = "d" });
        Assert.Equal(2, this.dispatcher.ExecutionCount);
        Assert.Equal(3, this.transport.IOPub.Count(m => m.MsgType == "execute_input"));
        Assert.Equal(3, this.transport.IOPub.Count(m => m.MsgType == "execute_result"));
    }

    [Fact]
    public void StdinGoesThroughTheTransportWhenAllowed()
    {
        string? line = null;
        this.interpreter.OnExecute = (_, sink) => { line = sink.ReadInput("name?", password: false); return ExecutionOutcome.NoValue; };
        Dispatch("execute_request", new JsonObject { ["code"] = "Console.ReadLine()", ["allow_stdin"] = true });
        Assert.Equal("typed", line);
        Assert.Equal("input_request", Assert.Single(this.transport.Sent, s => s.Channel == KernelChannel.Stdin).Message.MsgType);
    }

    [Fact]
    public void RichValuesBecomeMimeBundlesWithJsonTypesAsJson()
    {
        this.interpreter.OnExecute = (_, _) => ExecutionOutcome.Result(new Rich());
        Dispatch("execute_request", new JsonObject { ["code"] = "rich" });
        var data = Assert.Single(this.transport.IOPub, m => m.MsgType == "execute_result").Content["data"]!;
        Assert.Equal("<b>rich</b>", (string?)data["text/html"]);
        Assert.Equal(3, (int)data["application/json"]!["n"]!);
    }

    [Fact]
    public void UserExpressionsAreEvaluated()
    {
        Dispatch("execute_request", new JsonObject { ["code"] = "", ["user_expressions"] = new JsonObject { ["e"] = "1+1" } });
        var result = Reply().Content["user_expressions"]!["e"]!;
        Assert.Equal("ok", (string?)result["status"]);
        Assert.Equal("value of 1+1", (string?)result["data"]!["text/plain"]);
    }

    [Fact]
    public void IsCompleteRepliesWithTheInterpretersStatusAndIndent()
    {
        Dispatch("is_complete_request", new JsonObject { ["code"] = "for (;;) {" });
        Assert.Equal("incomplete", (string?)Reply().Content["status"]);
        Assert.Equal("    ", (string?)Reply().Content["indent"]);
    }

    [Fact]
    public void CompleteCountsCursorPositionsInCodePoints()
    {
        // "😀" is one code point but two UTF-16 units: the reply must count it once.
        Dispatch("complete_request", new JsonObject { ["code"] = "var 😀 = 1; Con", ["cursor_pos"] = 14 });
        var reply = Reply();
        Assert.Equal("WriteLine", (string?)reply.Content["matches"]![0]);
        Assert.Equal(11, (int)reply.Content["cursor_start"]!);
        Assert.Equal(14, (int)reply.Content["cursor_end"]!);
    }

    [Fact]
    public void InspectReturnsPlainText()
    {
        Dispatch("inspect_request", new JsonObject { ["code"] = "Math.Max", ["cursor_pos"] = 8 });
        var reply = Reply();
        Assert.True((bool)reply.Content["found"]!);
        Assert.Equal("doc for Math.Max", (string?)reply.Content["data"]!["text/plain"]);
    }

    [Fact]
    public void HistoryReturnsStoredCells()
    {
        this.interpreter.OnExecute = (code, _) => ExecutionOutcome.Result(code.ToUpperInvariant());
        Dispatch("execute_request", new JsonObject { ["code"] = "a" });
        Dispatch("execute_request", new JsonObject { ["code"] = "b" });
        var before = this.transport.Sent.Count;
        Dispatch("history_request", new JsonObject { ["hist_access_type"] = "tail", ["n"] = 1, ["output"] = true });
        var history = this.transport.Sent.Skip(before).Single(s => s.Channel == KernelChannel.Shell).Message.Content["history"]!.AsArray();
        var entry = Assert.Single(history)!.AsArray();
        Assert.Equal(2, (int)entry[1]!);
        Assert.Equal("b", (string?)entry[2]![0]);
        Assert.Equal("B", (string?)entry[2]![1]);
    }

    [Fact]
    public void InterruptOnControlReachesTheInterpreter()
    {
        Dispatch("interrupt_request", channel: KernelChannel.Control);
        Assert.Equal(1, this.interpreter.Interrupts);
        Assert.Equal("interrupt_reply", Reply(KernelChannel.Control).MsgType);
    }

    [Fact]
    public void ShutdownRepliesThenRaisesTheEvent()
    {
        bool? restart = null;
        this.dispatcher.ShutdownRequested += r => restart = r;
        Dispatch("shutdown_request", new JsonObject { ["restart"] = true }, KernelChannel.Control);
        Assert.True(restart);
        Assert.True((bool)Reply(KernelChannel.Control).Content["restart"]!);
    }

    [Fact]
    public void CommOpenWithoutTargetIsAnsweredWithClose()
    {
        Dispatch("comm_open", new JsonObject { ["comm_id"] = "c1", ["target_name"] = "nothing" });
        Assert.Equal("c1", (string?)Assert.Single(this.transport.IOPub, m => m.MsgType == "comm_close").Content["comm_id"]);
    }

    private sealed class Rich : IMimeRenderable
    {
        public IReadOnlyDictionary<string, string> ToMimeBundle() => new Dictionary<string, string>
        {
            ["text/html"] = "<b>rich</b>",
            ["application/json"] = "{\"n\": 3}",
        };
    }
}
