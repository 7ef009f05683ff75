using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;

using Microsoft.CodeAnalysis;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// Readable C# errors for the notebook: compile diagnostics with cell-relative (line,col) and the source
/// line, and exception tracebacks whose script frames read "cell[3], line 2" rather than
/// "Submission#2.&lt;&lt;Initialize&gt;&gt;d__0.MoveNext()". Scripting and async plumbing frames are dropped.
/// </summary>
internal static partial class TracebackFormatter
{
    private const string Red = "\u001b[0;31m", Cyan = "\u001b[0;36m", Reset = "\u001b[0m";

    private static readonly string[] HiddenNamespaces =
    {
        "Microsoft.CodeAnalysis.Scripting", "System.Runtime.CompilerServices", "System.Runtime.ExceptionServices",
        "System.Threading.ExecutionContext", "System.Threading.Tasks", "Workbench.Kernel.Interpreter", "Workbench.Kernel.Interruption",
    };

    public static ErrorInfo CompileErrors(IEnumerable<Diagnostic> diagnostics, string code, string cellName)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        var lines = code.Split('\n');
        var traceback = new List<string>();
        foreach (var d in errors)
        {
            var span = d.Location.GetLineSpan();
            var (line, col) = (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1);
            var where = d.Location.IsInSource ? $"({line},{col})" : "";
            traceback.Add($"{Red}{cellName}{where}: error {d.Id}{Reset}: {d.GetMessage()}");
            if (d.Location.IsInSource && line - 1 < lines.Length)
            {
                var source = lines[line - 1].TrimEnd('\r');
                traceback.Add("    " + source);
                traceback.Add("    " + new string(' ', Math.Min(col - 1, source.Length)) + Cyan + "^" + Reset);
            }
        }
        var first = errors.FirstOrDefault();
        var summary = first is null ? "compilation failed" : $"({first.Location.GetLineSpan().StartLinePosition.Line + 1},{first.Location.GetLineSpan().StartLinePosition.Character + 1}): error {first.Id}: {first.GetMessage()}";
        return new ErrorInfo("CompilationError", summary, traceback);
    }

    public static ErrorInfo Exception(Exception exception)
    {
        var e = Unwrap(exception);
        var traceback = new List<string>();
        Append(traceback, e, inner: false);
        return new ErrorInfo(e.GetType().Name, e.Message, traceback);
    }

    public static ErrorInfo Interrupted() =>
        new("ExecutionInterruptedException", "Execution interrupted by the user.", new[] { $"{Red}ExecutionInterruptedException{Reset}: Execution interrupted by the user." });

    private static Exception Unwrap(Exception e)
    {
        while (e is TargetInvocationException { InnerException: { } inner }) e = inner;
        if (e is AggregateException { InnerExceptions.Count: 1 } agg) return Unwrap(agg.InnerExceptions[0]);
        return e;
    }

    private static void Append(List<string> traceback, Exception e, bool inner)
    {
        traceback.Add($"{(inner ? " ---> " : "")}{Red}{e.GetType().FullName}{Reset}: {e.Message}");
        foreach (var frame in new StackTrace(e, fNeedFileInfo: true).GetFrames())
            if (Describe(frame) is { } text) traceback.Add("   at " + text);
        if (e.InnerException is { } innerException) Append(traceback, Unwrap(innerException), inner: true);
    }

    private static string? Describe(StackFrame frame)
    {
        var method = frame.GetMethod();
        if (method is null) return null;
        var type = method.DeclaringType;
        var ns = type?.Namespace ?? "";
        if (HiddenNamespaces.Any(h => (ns + "." + type?.Name).StartsWith(h, StringComparison.Ordinal))) return null;
        var name = method.Name;
        // Async methods and iterators run in a compiler-made type "<Name>d__N"; report the method itself.
        if (type is not null && StateMachine().Match(type.Name) is { Success: true } m && name is "MoveNext")
        {
            name = m.Groups[1].Value;
            type = type.DeclaringType;
        }
        // Script frames carry the cell name ("cell[3]") that Roslyn made absolute against the working directory.
        var file = frame.GetFileName() is { } f && System.IO.Path.GetFileName(f).StartsWith("cell[", StringComparison.Ordinal) ? System.IO.Path.GetFileName(f) : frame.GetFileName();
        var line = frame.GetFileLineNumber();
        var location = file is null ? "" : line > 0 ? $" in {file}, line {line}" : $" in {file}";
        var isScript = type is not null && type.Name.StartsWith("Submission#", StringComparison.Ordinal);
        if (isScript && name == "<Initialize>") return file is null ? "<cell>" : $"{file}, line {line}";
        var owner = type is null || isScript ? "" : (type.FullName ?? type.Name).Replace('+', '.') + ".";
        var parameters = string.Join(", ", method.GetParameters().Select(p => p.ParameterType.Name + " " + p.Name));
        return $"{owner}{name}({parameters}){location}";
    }

    [GeneratedRegex("^<(.+)>d__\\d+$")]
    private static partial Regex StateMachine();
}
