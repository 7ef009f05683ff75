using System.Collections.Immutable;
using System.Reflection;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Scripting;

using Workbench.Display;
using Workbench.Kernel.Packages;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// C# cells through Roslyn scripting: each cell is a submission chained to the previous ones, so variables,
/// methods and types carry across cells. Cells run on one dedicated thread and are rewritten to check
/// <see cref="Interruption"/> so that an interrupt stops even <c>while (true) { }</c>.
/// </summary>
public sealed partial class RoslynInterpreter : IInterpreter, IDisposable
{
    private static readonly string[] WantedImports =
    {
        "System", "System.IO", "System.Linq", "System.Text", "System.Collections.Generic", "System.Diagnostics",
        "System.Threading", "System.Threading.Tasks",
        "Workbench", "Workbench.Torch", "Workbench.Display", "Workbench.Plotting", "Workbench.Data", "Workbench.Models",
        "Workbench.Losses", "Workbench.Training", "Workbench.Metrics", "Workbench.Logging", "Workbench.Experiments",
        // Charts: Plotly.NET's C# API (Chart.Line, Chart.Grid, ...). Not `Plotly.NET` itself: its F# `Chart` would make
        // every `Chart` ambiguous; its types (GenericChart, Color, StyleParam) are written with their namespace.
        "Plotly.NET.CSharp",
    };

    private static readonly string[] CoreLibDocs = { "System.Runtime.xml", "System.Collections.xml", "System.Memory.xml", "System.Threading.xml", "System.Runtime.InteropServices.xml" };

    private static readonly CSharpParseOptions ParseOptions = new(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest, kind: SourceCodeKind.Script);

    private readonly CellThread thread = new();
    private readonly KernelGlobals globals = new();
    private ScriptState<object>? state;
    private volatile ICellSink? sink;
    private volatile bool running;
    private readonly PackageManager packages;

    public RoslynInterpreter(IEnumerable<Assembly>? preload = null, PackageManager? packages = null)
    {
        this.packages = packages ?? new PackageManager();
        var assemblies = new List<Assembly>
        {
            typeof(KernelGlobals).Assembly, typeof(Notebook).Assembly, typeof(Workbench.Torch.Tensor).Assembly,
            // Plotly.NET's C# API and what its signatures use (F# options, DynamicObj), so that charts need no #r.
            typeof(Plotly.NET.CSharp.Chart).Assembly, typeof(Plotly.NET.GenericChart).Assembly,
            typeof(Microsoft.FSharp.Core.FSharpOption<>).Assembly, typeof(DynamicObj.DynamicObj).Assembly,
        };
        if (preload is not null) assemblies.AddRange(preload);
        Options = CreateOptions(assemblies);
        // The cell's world: Console and display() go to whichever cell runs (or ran last, for background threads).
        Console.SetOut(new SinkWriter(() => sink, "stdout", Console.Out));
        Console.SetError(new SinkWriter(() => sink, "stderr", Console.Error));
        Console.SetIn(new SinkReader(() => sink, Console.In));
        Notebook.Publisher = new SinkPublisher(() => sink);
        // Library training loops are not rewritten like cell code; the trainer polls this between steps.
        Workbench.Training.HostInterrupt.Requested = static () => Interruption.IsRequested;
    }

    public ScriptOptions Options { get; private set; }

    public string LanguageVersion => LanguageVersionFacts.MapSpecifiedToEffectiveVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest).ToDisplayString();

    /// <summary>The namespaces every cell imports (those of <see cref="WantedImports"/> that exist).</summary>
    public IReadOnlyList<string> Imports => Options.Imports;

    public ExecutionOutcome Execute(string code, int executionCount, ICellSink output)
    {
        // Armed before the cell is queued: an interrupt that arrives while the cell waits for the warm-up or
        // compiles still stops it at its first loop iteration.
        Interruption.Reset();
        running = true;
        try
        {
            return thread.Run(() =>
            {
                CellThread.ClearPendingInterrupt();
                sink = output;
                return Run(code, CellName(executionCount));
            });
        }
        finally
        {
            running = false;
            Interruption.Reset();
        }
    }

    public ExecutionOutcome Evaluate(string expression) => thread.Run(() =>
    {
        try
        {
            var script = Continue(expression, Options);
            var errors = script.Compile().Where(IsError).ToList();
            if (errors.Count > 0) return ExecutionOutcome.Failed(TracebackFormatter.CompileErrors(errors, expression, "expression"));
            var state = this.state is null ? script.RunAsync(globals).GetAwaiter().GetResult() : script.RunFromAsync(this.state).GetAwaiter().GetResult();
            return ExecutionOutcome.Result(state.ReturnValue);
        }
        catch (Exception e)
        {
            return ExecutionOutcome.Failed(TracebackFormatter.Exception(e));
        }
    });

    public void Interrupt()
    {
        if (!running) return;
        Interruption.Request();
        thread.WakeIfBlocked();
    }

    public CompletenessResult IsComplete(string code)
    {
        // Directive lines (#r "nuget:", #!magics) are not C#: judge the C# around them.
        try { code = CellParser.Parse(code).Segments.FirstOrDefault(s => s.Language == CellParser.CSharp)?.Text ?? ""; }
        catch (FormatException) { return new CompletenessResult("invalid"); }
        var tree = CSharpSyntaxTree.ParseText(code, ParseOptions);
        if (!SyntaxFactory.IsCompleteSubmission(tree)) return new CompletenessResult("incomplete", "    ");
        return tree.GetDiagnostics().Any(IsError) ? new CompletenessResult("invalid") : new CompletenessResult("complete");
    }

    public CompletionResult Complete(string code, int cursor) => CodeInsight.Complete(Analyze(code), cursor);

    public InspectionResult Inspect(string code, int cursor, int detailLevel) => CodeInsight.Inspect(Analyze(code), cursor, detailLevel);

    /// <summary>
    /// Compiles and runs a throwaway submission on the cell thread so that Roslyn is loaded and jitted before
    /// the first cell arrives (a kernel usually waits for its user anyway). Does not touch the cell state.
    /// </summary>
    public void WarmUpInBackground() => thread.Post(() =>
    {
        try
        {
            CSharpScript.Create<object>("var warmUp = new List<int> { 1 }.Select(i => i + 1).Sum(); warmUp", Options, typeof(KernelGlobals)).RunAsync(new KernelGlobals()).GetAwaiter().GetResult();
            // Loading libtorch takes a second or two; a tensor workbench's first cells use it.
            Workbench.Torch.torch.zeros(1).Dispose();
        }
#pragma warning disable CA1031 // only a warm-up: whatever failed here, the first real cell reports it
        catch (Exception)
        {
        }
#pragma warning restore CA1031
    });

    public void Dispose() => thread.Dispose();

    private ExecutionOutcome Run(string code, string cellName)
    {
        ParsedCell cell;
        try { cell = CellParser.Parse(code); }
        catch (FormatException e) { return ExecutionOutcome.Failed(new ErrorInfo("DirectiveError", e.Message, new[] { e.Message })); }
        return cell.HasDirectives ? RunWithDirectives(cell, cellName) : RunCSharp(code, cellName);
    }

    private ExecutionOutcome RunCSharp(string code, string cellName)
    {
        var tree = CSharpSyntaxTree.ParseText(code, ParseOptions);
        var options = Options.WithFilePath(cellName);
        var script = Continue(InterruptionRewriter.Rewrite(tree), options);
        if (script.Compile().Any(IsError))
        {
            // Report against the text the user wrote (the rewrite keeps lines but shifts columns).
            var original = Continue(code, options).Compile();
            return ExecutionOutcome.Failed(TracebackFormatter.CompileErrors(original.Any(IsError) ? original : script.Compile(), code, cellName));
        }

        ScriptState<object> state;
        try
        {
            var task = this.state is null ? script.RunAsync(globals, catchException: _ => true) : script.RunFromAsync(this.state, catchException: _ => true);
            state = task.GetAwaiter().GetResult();
        }
        catch (ThreadInterruptedException)
        {
            // Interrupted while awaiting an async cell: its continuation may still finish in the background.
            return ExecutionOutcome.Failed(TracebackFormatter.Interrupted());
        }
        this.state = state;
        if (state.Exception is { } e)
        {
            var interrupted = e is ExecutionInterruptedException || (e is ThreadInterruptedException && Interruption.IsRequested);
            return ExecutionOutcome.Failed(interrupted ? TracebackFormatter.Interrupted() : TracebackFormatter.Exception(e));
        }
        return EndsWithExpression(tree) && state.ReturnValue is not null ? ExecutionOutcome.Result(state.ReturnValue) : ExecutionOutcome.NoValue;
    }

    /// <summary>The submission that follows the cells run so far (not run itself).</summary>
    internal Script<object> Continue(string code, ScriptOptions options) =>
        state is null ? CSharpScript.Create<object>(code, options, typeof(KernelGlobals)) : state.Script.ContinueWith<object>(code, options);

    private (SemanticModel Model, SyntaxTree Tree) Analyze(string code)
    {
        var compilation = Continue(code, Options).GetCompilation();
        var tree = compilation.SyntaxTrees.Single();
        return (compilation.GetSemanticModel(tree), tree);
    }

    private static bool EndsWithExpression(SyntaxTree tree) =>
        tree.GetCompilationUnitRoot().Members.LastOrDefault() is GlobalStatementSyntax { Statement: ExpressionStatementSyntax { SemicolonToken.IsMissing: true } };

    private static bool IsError(Diagnostic d) => d.Severity == DiagnosticSeverity.Error;

    private static string CellName(int executionCount) => $"cell[{executionCount}]";

    private static ScriptOptions CreateOptions(IReadOnlyList<Assembly> preload)
    {
        var references = new List<MetadataReference>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        // The framework's assemblies (System.*, netstandard...) so that any BCL type works without #r.
        var tpa = (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var path in tpa)
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if ((name.StartsWith("System.", StringComparison.Ordinal) || name is "System" or "netstandard" or "mscorlib" or "Microsoft.CSharp" or "Microsoft.Win32.Primitives")
                && !name.StartsWith("System.Private.", StringComparison.Ordinal) || name == "System.Private.CoreLib")
                if (seen.Add(name)) references.Add(Documented(path));
        }
        foreach (var assembly in preload)
            if (!string.IsNullOrEmpty(assembly.Location) && seen.Add(assembly.GetName().Name ?? assembly.Location)) references.Add(Documented(assembly.Location));

        var namespaces = preload.SelectMany(SafeTypes).Select(t => t.Namespace).Where(n => n is not null).ToHashSet();
        var imports = WantedImports.Where(n => n.StartsWith("System", StringComparison.Ordinal) || namespaces.Contains(n) || namespaces.Any(x => x!.StartsWith(n + ".", StringComparison.Ordinal))).ToArray();
        return ScriptOptions.Default
            .WithReferences(references)
            .WithImports(imports)
            .WithLanguageVersion(Microsoft.CodeAnalysis.CSharp.LanguageVersion.Latest)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithEmitDebugInformation(true) // line numbers in tracebacks (needs the encoding below)
            .WithFileEncoding(System.Text.Encoding.UTF8)
            .WithAllowUnsafe(true)
            .WithMetadataResolver(ScriptMetadataResolver.Default.WithBaseDirectory(Environment.CurrentDirectory))
            .WithSourceResolver(ScriptSourceResolver.Default.WithBaseDirectory(Environment.CurrentDirectory));
    }

    private static IEnumerable<Type> SafeTypes(Assembly a)
    {
        try { return a.GetExportedTypes(); }
        catch (ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); }
    }

    /// <summary>A reference with XML docs for inspect: beside the assembly, or in the SDK's reference pack.</summary>
    private static PortableExecutableReference Documented(string path)
    {
        var xml = Path.ChangeExtension(path, ".xml");
        string[] docs = File.Exists(xml) ? new[] { xml }
            // CoreLib's public types are documented under the reference assemblies that forward to it.
            : Path.GetFileName(path) == "System.Private.CoreLib.dll" ? CoreLibDocs.Select(ReferencePackDocs.Find).OfType<string>().ToArray()
            : ReferencePackDocs.Find(Path.GetFileName(xml)) is { } packDoc ? new[] { packDoc } : Array.Empty<string>();
        return MetadataReference.CreateFromFile(path, documentation: docs.Length > 0 ? new XmlDocs(docs) : null);
    }

    private sealed class SinkPublisher(Func<ICellSink?> sink) : IDisplayPublisher
    {
        public void Publish(IReadOnlyDictionary<string, string> bundle, string displayId, bool update)
        {
            if (sink() is { } target) target.Publish(bundle, displayId, update);
            else Console.WriteLine(bundle[MimeTypes.PlainText]);
        }

        public void ClearOutput(bool wait) => sink()?.ClearOutput(wait);
    }
}

/// <summary>The runtime ships no XML docs; the SDK's Microsoft.NETCore.App.Ref pack does (when an SDK is installed).</summary>
internal static class ReferencePackDocs
{
    private static readonly Lazy<string?> Folder = new(FindFolder);

    public static string? Find(string fileName) => Folder.Value is { } dir && File.Exists(Path.Combine(dir, fileName)) ? Path.Combine(dir, fileName) : null;

    private static string? FindFolder()
    {
        // <dotnet>/shared/Microsoft.NETCore.App/<version>/ → <dotnet>/packs/Microsoft.NETCore.App.Ref/<version>/ref/net<major>.<minor>/
        var runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location);
        if (runtimeDir is null) return null;
        var version = Path.GetFileName(runtimeDir);
        var root = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", ".."));
        var packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
        if (!Directory.Exists(packs)) return null;
        var candidates = Directory.GetDirectories(packs).OrderByDescending(d => Path.GetFileName(d) == version).ThenByDescending(d => d, StringComparer.Ordinal);
        foreach (var pack in candidates)
        {
            var refDir = Path.Combine(pack, "ref");
            if (!Directory.Exists(refDir)) continue;
            var tfm = Directory.GetDirectories(refDir).OrderByDescending(d => d, StringComparer.Ordinal).FirstOrDefault();
            if (tfm is not null) return tfm;
        }
        return null;
    }
}
