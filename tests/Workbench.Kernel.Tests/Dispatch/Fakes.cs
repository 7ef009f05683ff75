using Workbench.Kernel.Dispatch;
using Workbench.Kernel.Interpreter;
using Workbench.Kernel.Protocol;

namespace Workbench.Kernel.Tests.Dispatch;

/// <summary>Records what the dispatcher sends; answers input requests with a canned line.</summary>
internal sealed class FakeTransport : IKernelTransport
{
    private readonly List<(KernelChannel Channel, Message Message)> sent = new();

    public string InputLine { get; set; } = "typed";

    public List<(KernelChannel Channel, Message Message)> Sent
    {
        get { lock (this.sent) return this.sent.ToList(); }
    }

    public List<Message> IOPub => Sent.Where(s => s.Channel == KernelChannel.IOPub).Select(s => s.Message).ToList();

    public void Send(KernelChannel channel, Message message)
    {
        lock (this.sent) this.sent.Add((channel, message));
    }

    public string RequestInput(Message inputRequest, CancellationToken cancel)
    {
        Send(KernelChannel.Stdin, inputRequest);
        return InputLine;
    }
}

/// <summary>An interpreter whose behaviour each test scripts: no Roslyn, no threads.</summary>
internal sealed class FakeInterpreter : IInterpreter
{
    public Func<string, ICellSink, ExecutionOutcome> OnExecute { get; set; } = (_, _) => ExecutionOutcome.NoValue;

    public List<string> Executed { get; } = new();

    public int Interrupts { get; private set; }

    public string LanguageVersion => "fake-1.0";

    public ExecutionOutcome Execute(string code, int executionCount, ICellSink output)
    {
        Executed.Add(code);
        return OnExecute(code, output);
    }

    public ExecutionOutcome Evaluate(string expression) => ExecutionOutcome.Result("value of " + expression);

    public CompletenessResult IsComplete(string code) =>
        code == "throw" ? throw new InvalidOperationException("fake failure") : new CompletenessResult(code.EndsWith('{') ? "incomplete" : "complete", "    ");

    public CompletionResult Complete(string code, int cursor) =>
        new(new[] { new CompletionItem("WriteLine", "method") }, Math.Max(0, cursor - 3), cursor);

    public InspectionResult Inspect(string code, int cursor, int detailLevel) => new(true, "doc for " + code);

    public void Interrupt() => Interrupts++;
}
