using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

using Workbench.Kernel.Interpreter;

namespace Workbench.Kernel.Tests.Interpreter;

public class InterruptionRewriterTests
{
    private static readonly CSharpParseOptions Script = new(LanguageVersion.Latest, kind: SourceCodeKind.Script);

    private static string Rewrite(string code) => InterruptionRewriter.Rewrite(CSharpSyntaxTree.ParseText(code, Script));

    private static int Checks(string code) => code.Split("ThrowIfRequested()").Length - 1;

    [Fact]
    public void EveryLoopBodyAndMethodBodyGetsACheck()
    {
        var code = "while (a) b();\nfor (;;)\n{\n}\ndo x(); while (y);\nforeach (var i in s) { }\nforeach (var (p, q) in t) ;\nvoid F() { }\nint G() => 1;\nlabel: goto label;";
        var rewritten = Rewrite(code);
        Assert.Equal(7, Checks(rewritten)); // 5 loops, F's body, the goto; G has no block body
    }

    [Fact]
    public void LinesAreKept()
    {
        var code = "var n = 0;\nwhile (n < 3)\n    n++; // count\nvoid F()\n{ // body\n    n--;\n}\nn";
        var rewritten = Rewrite(code);
        Assert.Equal(code.Split('\n').Length, rewritten.Split('\n').Length);
        Assert.EndsWith("n", rewritten);
        Assert.Contains("// count", rewritten.Split('\n')[2]);
    }

    [Fact]
    public void PreprocessorDirectivesStayAtTheStartOfTheirLines()
    {
        var rewritten = Rewrite("void F() {\n#if DEBUG\n    Console.WriteLine();\n#endif\n}");
        Assert.DoesNotContain(CSharpSyntaxTree.ParseText(rewritten, Script).GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains("\n#if DEBUG\n", rewritten);
    }

    [Fact]
    public void CodeWithoutLoopsOrMethodsIsUnchanged()
    {
        const string code = "var x = 1 + 2;\nConsole.WriteLine(x);";
        Assert.Equal(code, Rewrite(code));
    }
}
