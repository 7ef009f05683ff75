using Workbench.Display;

namespace Workbench.Kernel.Interpreter;

/// <summary>Where a running cell's output goes: console streams, displays and stdin.</summary>
public interface ICellSink : IDisplayPublisher
{
    /// <summary>Text for the "stdout" or "stderr" stream.</summary>
    void WriteStream(string name, string text);

    /// <summary>Asks the front end for a line of input (Console.ReadLine in a cell).</summary>
    string ReadInput(string prompt, bool password);
}

/// <summary>The language side of the kernel; the dispatcher knows nothing about C#.</summary>
public interface IInterpreter
{
    /// <summary>The language version shown in kernel_info ("14.0", ...).</summary>
    string LanguageVersion { get; }

    /// <summary>Runs a cell to completion (or until interrupted), state carried from the cells before it.</summary>
    ExecutionOutcome Execute(string code, int executionCount, ICellSink output);

    /// <summary>Evaluates an expression against the current state without changing it (user_expressions).</summary>
    ExecutionOutcome Evaluate(string expression);

    CompletenessResult IsComplete(string code);

    /// <summary>Completions at a UTF-16 <paramref name="cursor"/>; positions in the result are UTF-16 too.</summary>
    CompletionResult Complete(string code, int cursor);

    InspectionResult Inspect(string code, int cursor, int detailLevel);

    /// <summary>Asks the running cell to stop; returns at once (any thread).</summary>
    void Interrupt();
}

public sealed record ErrorInfo(string Name, string Value, IReadOnlyList<string> Traceback);

public sealed record ExecutionOutcome(bool HasValue, object? Value, ErrorInfo? Error)
{
    public static readonly ExecutionOutcome NoValue = new(false, null, null);

    public static ExecutionOutcome Result(object? value) => new(true, value, null);

    public static ExecutionOutcome Failed(ErrorInfo error) => new(false, null, error);

    public bool Succeeded => Error is null;
}

/// <summary>is_complete status: "complete", "incomplete", "invalid" or "unknown", and an indent hint.</summary>
public sealed record CompletenessResult(string Status, string Indent = "");

public sealed record CompletionItem(string Text, string Kind);

public sealed record CompletionResult(IReadOnlyList<CompletionItem> Matches, int CursorStart, int CursorEnd);

public sealed record InspectionResult(bool Found, string Text)
{
    public static readonly InspectionResult NotFound = new(false, "");
}
