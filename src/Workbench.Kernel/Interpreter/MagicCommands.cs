using System.Net;
using System.Reflection;
using System.Text;

using Microsoft.CodeAnalysis.Scripting;

namespace Workbench.Kernel.Interpreter;

/// <summary>The text behind .NET Interactive's informational magics (<c>#!lsmagic</c>, <c>#!about</c>, <c>#!who</c>, <c>#!whos</c>).</summary>
internal static class MagicCommands
{
    /// <summary>Every magic this kernel knows, with what it does (the #!lsmagic listing).</summary>
    public static readonly IReadOnlyList<(string Name, string Help)> Known = new[]
    {
        ("#!csharp", "the lines after it are C# (also #!c#; C# is the default)"),
        ("#!markdown", "the lines after it are Markdown, shown as the cell's output (also #!md)"),
        ("#!html", "the lines after it are HTML, shown as the cell's output"),
        ("#!value --name NAME", "the lines after it become the string variable NAME (without --name: shown as text)"),
        ("#!time", "prints the wall time the cell took"),
        ("#!lsmagic", "lists these magic commands"),
        ("#!about", "shows what this kernel is"),
        ("#!who", "lists the variables defined so far"),
        ("#!whos", "lists the variables with their types and values"),
        ("#r \"nuget: Name[, Version]\"", "restores a NuGet package (and its dependencies) and references it"),
        ("#i \"nuget: SOURCE\"", "adds a NuGet source (feed URL or folder) for later #r \"nuget:\" lines"),
        ("#r \"path/to/lib.dll\"", "references an assembly"),
    };

    /// <summary>Kernels of .NET Interactive that this kernel does not have; their magics get a clear error.</summary>
    public static readonly IReadOnlySet<string> OtherKernels = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "fsharp", "f#", "pwsh", "powershell", "javascript", "js", "sql", "kql", "mermaid", "http", "python", "r", "vscode", "connect", "share", "set", "import", "log",
    };

    public static string UnknownMagicMessage(string name) => OtherKernels.Contains(name)
        ? $"#!{name} is not available: this kernel (Workbench) runs C# only. Known magic commands: {string.Join(", ", Known.Select(k => k.Name.Split(' ')[0]).Where(n => n.StartsWith("#!", StringComparison.Ordinal)))}"
        : $"Unrecognized magic command '#!{name}'. Known magic commands: {string.Join(", ", Known.Select(k => k.Name.Split(' ')[0]).Where(n => n.StartsWith("#!", StringComparison.Ordinal)))} (#!lsmagic lists them)";

    public static string LsMagicHtml()
    {
        var sb = new StringBuilder("<div><strong>Magic commands (Workbench C# kernel)</strong><table><tbody>");
        foreach (var (name, help) in Known)
            sb.Append("<tr><td><code>").Append(WebUtility.HtmlEncode(name)).Append("</code></td><td>").Append(WebUtility.HtmlEncode(help)).Append("</td></tr>");
        return sb.Append("</tbody></table></div>").ToString();
    }

    public static string LsMagicText() => string.Join("\n", Known.Select(k => $"{k.Name,-32} {k.Help}"));

    public static string AboutText(string languageVersion)
    {
        var version = typeof(MagicCommands).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.1";
        var roslyn = typeof(Script).Assembly.GetName().Version;
        return $"Workbench C# kernel {version}\n"
             + $"C# {languageVersion} (Roslyn scripting {roslyn}), .NET {Environment.Version}\n"
             + "Runs notebooks written for .NET Interactive (Polyglot Notebooks): #r \"nuget:\", display()/Display()/Update(), #! magics, Plotly.NET charts.";
    }

    /// <summary>The variables a cell can see, latest definition of each name first seen order (#!who, #!whos).</summary>
    public static IReadOnlyList<ScriptVariable> Variables(ScriptState<object>? state)
    {
        if (state is null) return Array.Empty<ScriptVariable>();
        var byName = new Dictionary<string, ScriptVariable>(StringComparer.Ordinal);
        foreach (var v in state.Variables)
            if (!v.Name.StartsWith('<')) byName[v.Name] = v; // later submissions shadow earlier ones
        return byName.Values.ToList();
    }

    public static string WhoText(ScriptState<object>? state) => string.Join("\t", Variables(state).Select(v => v.Name));

    public static Workbench.Display.Table WhosTable(ScriptState<object>? state)
    {
        var table = new Workbench.Display.Table("Variable", "Type", "Value");
        foreach (var v in Variables(state))
        {
            var text = Workbench.Display.Formatter.ToText(v.Value);
            table.AddRow(v.Name, TypeName(v.Type), text.Length > 80 ? text[..77] + "..." : text);
        }
        return table;
    }

    private static string TypeName(Type t) =>
        t.IsGenericType ? $"{t.Name[..t.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", t.GetGenericArguments().Select(TypeName))}>" : t.Name;
}
