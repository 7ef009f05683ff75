using System.Reflection;
using System.Text.Json.Nodes;

using Workbench.Display;
using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Dispatch;

/// <summary>
/// Jupyter's message handling, independent of ZeroMQ and of C#: a table of handlers keyed by msg_type,
/// "busy"/"idle" status around every message, handler exceptions caught and logged. Shell messages come in
/// one at a time; control messages (interrupt, shutdown) may arrive on another thread while a cell runs.
/// </summary>
public sealed class KernelDispatcher
{
    private readonly IKernelTransport transport;
    private readonly IInterpreter interpreter;
    private readonly KernelLog log;
    private readonly Dictionary<string, Action<KernelChannel, Message>> handlers;
    private readonly ExecutionHistory history = new();
    private CancellationTokenSource executionCancel = new();
    private int executionCount;

    public KernelDispatcher(IKernelTransport transport, IInterpreter interpreter, KernelLog? log = null)
    {
        this.transport = transport;
        this.interpreter = interpreter;
        this.log = log ?? KernelLog.Silent;
        handlers = new Dictionary<string, Action<KernelChannel, Message>>
        {
            ["kernel_info_request"] = KernelInfo,
            ["execute_request"] = Execute,
            ["is_complete_request"] = IsComplete,
            ["complete_request"] = Complete,
            ["inspect_request"] = Inspect,
            ["history_request"] = History,
            ["comm_info_request"] = CommInfo,
            ["comm_open"] = CommOpen,
            ["comm_msg"] = (_, m) => this.log.Info($"comm_msg for unknown comm ignored ({m.MsgId})"),
            ["comm_close"] = (_, _) => { },
            ["interrupt_request"] = Interrupt,
            ["shutdown_request"] = Shutdown,
        };
    }

    /// <summary>This kernel's session id (every header it writes carries it).</summary>
    public string Session { get; } = Guid.NewGuid().ToString("N");

    public int ExecutionCount => executionCount;

    /// <summary>Raised after a shutdown_reply went out; the argument says whether the client restarts the kernel.</summary>
    public event Action<bool>? ShutdownRequested;

    public IReadOnlyCollection<string> MessageTypes => handlers.Keys;

    /// <summary>Handles one request: busy, the handler (errors logged, never thrown), idle.</summary>
    public void Dispatch(KernelChannel channel, Message request)
    {
        PublishStatus("busy", request);
        try
        {
            if (handlers.TryGetValue(request.MsgType, out var handler)) handler(channel, request);
            else log.Warn($"unsupported message type '{request.MsgType}' on {channel} ignored");
        }
        catch (Exception e)
        {
            log.Error($"handler for {request.MsgType} failed: {e}");
        }
        finally
        {
            PublishStatus("idle", request);
        }
    }

    /// <summary>
    /// Set when a cell failed and its request asked to stop_on_error: execute requests already waiting on the
    /// shell (a notebook's "Run All") should be answered "aborted" rather than run. The transport drains its
    /// queue through <see cref="Abort"/> and then calls <see cref="EndAbort"/>.
    /// </summary>
    public bool AbortingQueuedExecutes { get; private set; }

    /// <summary>When the failed cell ended (before its reply went out): requests sent earlier were queued behind it.</summary>
    public DateTimeOffset FailedAt { get; private set; }

    /// <summary>Answers a queued request without running it (execute requests get status "aborted").</summary>
    public void Abort(KernelChannel channel, Message request)
    {
        if (request.MsgType != "execute_request")
        {
            Dispatch(channel, request);
            return;
        }
        PublishStatus("busy", request);
        log.Info($"execute_request {request.MsgId} aborted after an error");
        Reply(channel, request, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = executionCount });
        PublishStatus("idle", request);
    }

    public void EndAbort() => AbortingQueuedExecutes = false;

    /// <summary>The first iopub message of a kernel: "starting".</summary>
    public void PublishStarting() => transport.Send(KernelChannel.IOPub, Message.Create("status", new JsonObject { ["execution_state"] = "starting" }, Session));

    private void PublishStatus(string state, Message parent) =>
        transport.Send(KernelChannel.IOPub, Message.Create("status", new JsonObject { ["execution_state"] = state }, Session, parent));

    private void Reply(KernelChannel channel, Message request, string msgType, JsonObject content) =>
        transport.Send(channel, Message.Create(msgType, content, Session, request, request.Identities));

    private void KernelInfo(KernelChannel channel, Message request)
    {
        var version = typeof(KernelDispatcher).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.1";
        Reply(channel, request, "kernel_info_reply", new JsonObject
        {
            ["status"] = "ok",
            ["protocol_version"] = Message.ProtocolVersion,
            ["implementation"] = "workbench",
            ["implementation_version"] = version.Split('+')[0],
            ["language_info"] = new JsonObject
            {
                ["name"] = "csharp",
                ["version"] = interpreter.LanguageVersion,
                ["mimetype"] = "text/x-csharp",
                ["file_extension"] = ".cs",
                ["pygments_lexer"] = "csharp",
                ["codemirror_mode"] = "text/x-csharp",
            },
            ["banner"] = $"Workbench C# kernel (C# {interpreter.LanguageVersion}, .NET {Environment.Version}): Roslyn scripting with the Workbench libraries loaded",
            ["help_links"] = new JsonArray(),
        });
    }

    private void Execute(KernelChannel channel, Message request)
    {
        var code = request.Get("code", "");
        var silent = request.Get("silent", false);
        var storeHistory = request.Get("store_history", !silent);
        if (storeHistory) executionCount++;
        var count = executionCount;
        if (!silent) transport.Send(KernelChannel.IOPub, Message.Create("execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count }, Session, request));

        executionCancel = new CancellationTokenSource();
        var output = new CellOutput(transport, request, Session, request.Get("allow_stdin", true), executionCancel.Token);
        string? resultText = null;
        JsonObject reply;
        try
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var outcome = interpreter.Execute(code, count, output);
            log.Info($"cell {count}: {(outcome.Error is null ? "ok" : outcome.Error.Name)} in {clock.ElapsedMilliseconds} ms");
            if (outcome.HasValue && !silent && outcome.Error is null)
                outcome = PublishResult(output, outcome.Value, count, out resultText);
            reply = outcome.Error is { } error
                ? ErrorContent(error, count, output)
                : new JsonObject { ["status"] = "ok", ["execution_count"] = count, ["user_expressions"] = UserExpressions(request), ["payload"] = new JsonArray() };
        }
        finally
        {
            output.Dispose();
        }
        if (storeHistory) history.Add(count, code, resultText);
        if ((string?)reply["status"] == "error" && request.Get("stop_on_error", true))
        {
            FailedAt = DateTimeOffset.UtcNow;
            AbortingQueuedExecutes = true;
        }
        Reply(channel, request, "execute_reply", reply);
    }

    private static ExecutionOutcome PublishResult(CellOutput output, object? value, int count, out string? text)
    {
        try
        {
            var bundle = Formatter.ToMimeBundle(value);
            text = bundle[MimeTypes.PlainText];
            output.Send("execute_result", new JsonObject { ["execution_count"] = count, ["data"] = CellOutput.ToData(bundle), ["metadata"] = new JsonObject() });
            return ExecutionOutcome.NoValue;
        }
        catch (Exception e) // a user type's ToString() or ToMimeBundle() threw
        {
            text = null;
            return ExecutionOutcome.Failed(new ErrorInfo(e.GetType().Name, "formatting the result failed: " + e.Message, new[] { e.ToString() }));
        }
    }

    private static JsonObject ErrorContent(ErrorInfo error, int count, CellOutput output)
    {
        var traceback = new JsonArray(error.Traceback.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray());
        output.Send("error", new JsonObject { ["ename"] = error.Name, ["evalue"] = error.Value, ["traceback"] = traceback.DeepClone() });
        return new JsonObject { ["status"] = "error", ["execution_count"] = count, ["ename"] = error.Name, ["evalue"] = error.Value, ["traceback"] = traceback };
    }

    private JsonObject UserExpressions(Message request)
    {
        var results = new JsonObject();
        if (request.Content["user_expressions"] is not JsonObject expressions) return results;
        foreach (var (name, node) in expressions)
        {
            var outcome = interpreter.Evaluate((string?)node ?? "");
            results[name] = outcome.Error is { } e
                ? new JsonObject { ["status"] = "error", ["ename"] = e.Name, ["evalue"] = e.Value, ["traceback"] = new JsonArray(e.Traceback.Select(l => (JsonNode)JsonValue.Create(l)!).ToArray()) }
                : new JsonObject { ["status"] = "ok", ["data"] = CellOutput.ToData(Formatter.ToMimeBundle(outcome.Value)), ["metadata"] = new JsonObject() };
        }
        return results;
    }

    private void IsComplete(KernelChannel channel, Message request)
    {
        var result = interpreter.IsComplete(request.Get("code", ""));
        var content = new JsonObject { ["status"] = result.Status };
        if (result.Status == "incomplete") content["indent"] = result.Indent;
        Reply(channel, request, "is_complete_reply", content);
    }

    private void Complete(KernelChannel channel, Message request)
    {
        var code = request.Get("code", "");
        var cursor = TextPositions.CodePointsToUtf16(code, request.Get("cursor_pos", code.Length));
        var result = interpreter.Complete(code, cursor);
        Reply(channel, request, "complete_reply", new JsonObject
        {
            ["status"] = "ok",
            ["matches"] = new JsonArray(result.Matches.Select(m => (JsonNode)JsonValue.Create(m.Text)!).ToArray()),
            ["cursor_start"] = TextPositions.Utf16ToCodePoints(code, result.CursorStart),
            ["cursor_end"] = TextPositions.Utf16ToCodePoints(code, result.CursorEnd),
            ["metadata"] = new JsonObject
            {
                ["_jupyter_types_experimental"] = new JsonArray(result.Matches.Select(m => (JsonNode)new JsonObject
                {
                    ["text"] = m.Text, ["type"] = m.Kind,
                    ["start"] = TextPositions.Utf16ToCodePoints(code, result.CursorStart), ["end"] = TextPositions.Utf16ToCodePoints(code, result.CursorEnd),
                }).ToArray()),
            },
        });
    }

    private void Inspect(KernelChannel channel, Message request)
    {
        var code = request.Get("code", "");
        var cursor = TextPositions.CodePointsToUtf16(code, request.Get("cursor_pos", code.Length));
        var result = interpreter.Inspect(code, cursor, request.Get("detail_level", 0));
        Reply(channel, request, "inspect_reply", new JsonObject
        {
            ["status"] = "ok",
            ["found"] = result.Found,
            ["data"] = result.Found ? new JsonObject { [MimeTypes.PlainText] = result.Text } : new JsonObject(),
            ["metadata"] = new JsonObject(),
        });
    }

    private void History(KernelChannel channel, Message request) =>
        Reply(channel, request, "history_reply", new JsonObject { ["status"] = "ok", ["history"] = history.Query(request.Content) });

    private void CommInfo(KernelChannel channel, Message request) =>
        Reply(channel, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });

    // No comm targets are registered: per the protocol, answer an open with a close.
    private void CommOpen(KernelChannel channel, Message request) =>
        transport.Send(KernelChannel.IOPub, Message.Create("comm_close", new JsonObject { ["comm_id"] = request.Get("comm_id", ""), ["data"] = new JsonObject() }, Session, request));

    private void Interrupt(KernelChannel channel, Message request)
    {
        log.Info("interrupt requested");
        executionCancel.Cancel();
        interpreter.Interrupt();
        Reply(channel, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
    }

    private void Shutdown(KernelChannel channel, Message request)
    {
        var restart = request.Get("restart", false);
        log.Info($"shutdown requested (restart: {restart})");
        executionCancel.Cancel();
        interpreter.Interrupt();
        Reply(channel, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
        ShutdownRequested?.Invoke(restart);
    }
}
