using System.Text;
using System.Xml.Linq;

using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// Completion and inspection from Roslyn's semantic model of the submission being typed (bound against the
/// cells run so far): member lookup after a dot, names in scope and keywords elsewhere; symbol signatures
/// with their XML doc summaries.
/// </summary>
internal static class CodeInsight
{
    private static readonly string[] Keywords = SyntaxFacts.GetKeywordKinds().Concat(SyntaxFacts.GetContextualKeywordKinds())
        .Select(SyntaxFacts.GetText).Where(k => k.Length > 0 && char.IsLetter(k[0])).Distinct().ToArray();

    public static CompletionResult Complete((SemanticModel Model, SyntaxTree Tree) analysis, int cursor)
    {
        var (model, tree) = analysis;
        var text = tree.GetText().ToString();
        cursor = Math.Clamp(cursor, 0, text.Length);
        var start = cursor;
        while (start > 0 && (char.IsLetterOrDigit(text[start - 1]) || text[start - 1] == '_')) start--;
        var prefix = text[start..cursor];

        var items = new List<CompletionItem>();
        if (MemberContainer(model, tree, start) is { } container)
        {
            var (symbol, isType) = container;
            IEnumerable<ISymbol> members = symbol is ITypeSymbol type
                ? model.LookupSymbols(start, type, includeReducedExtensionMethods: !isType).Where(m => m.IsStatic == isType || m is INamedTypeSymbol || (isType && m.Kind == SymbolKind.Field && ((IFieldSymbol)m).IsConst))
                : model.LookupNamespacesAndTypes(start, (INamespaceSymbol)symbol);
            items.AddRange(members.Where(m => m.CanBeReferencedByName && !m.IsImplicitlyDeclared).Select(m => new CompletionItem(m.Name, KindOf(m))));
        }
        else
        {
            items.AddRange(model.LookupSymbols(start).Where(m => m.CanBeReferencedByName).Select(m => new CompletionItem(m.Name, KindOf(m))));
            items.AddRange(Keywords.Select(k => new CompletionItem(k, "keyword")));
        }
        var matches = items.Where(i => i.Text.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .GroupBy(i => i.Text).Select(g => g.First())
            .OrderBy(i => i.Text.StartsWith(prefix, StringComparison.Ordinal) ? 0 : 1).ThenBy(i => i.Text, StringComparer.Ordinal)
            .ToList();
        return new CompletionResult(matches, start, cursor);
    }

    public static InspectionResult Inspect((SemanticModel Model, SyntaxTree Tree) analysis, int cursor, int detailLevel)
    {
        var (model, tree) = analysis;
        var root = tree.GetRoot();
        var length = root.FullSpan.Length;
        // The token under the cursor, or the one just before it ("Math.Max|" and "Math.Max(|" both inspect Max).
        foreach (var position in new[] { cursor, cursor - 1, cursor - 2 })
        {
            if (position < 0 || position >= length) continue;
            var token = root.FindToken(position);
            var symbols = SymbolsAt(model, token);
            if (symbols.Count == 0) continue;
            var sb = new StringBuilder();
            foreach (var symbol in symbols.Take(12))
            {
                sb.AppendLine(symbol.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat));
                if (Summary(symbol) is { Length: > 0 } doc) sb.AppendLine("    " + doc.Replace("\n", "\n    ", StringComparison.Ordinal));
                if (detailLevel > 0 && symbol is ITypeSymbol { } t) sb.AppendLine("    kind: " + t.TypeKind + ", assembly: " + t.ContainingAssembly?.Name);
            }
            if (symbols.Count > 12) sb.AppendLine($"(+{symbols.Count - 12} more overloads)");
            return new InspectionResult(true, sb.ToString().TrimEnd());
        }
        return InspectionResult.NotFound;
    }

    /// <summary>For "expr.|" the type (or namespace) whose members complete, and whether expr names a type (static members).</summary>
    private static (INamespaceOrTypeSymbol Symbol, bool IsType)? MemberContainer(SemanticModel model, SyntaxTree tree, int nameStart)
    {
        if (nameStart == 0) return null;
        var dot = tree.GetRoot().FindToken(nameStart - 1);
        if (!dot.IsKind(SyntaxKind.DotToken)) return null;
        ExpressionSyntax? left = dot.Parent switch
        {
            MemberAccessExpressionSyntax ma => ma.Expression,
            QualifiedNameSyntax qn => qn.Left,
            _ => null,
        };
        if (left is null) return null;
        var symbol = model.GetSymbolInfo(left).Symbol;
        if (symbol is INamespaceSymbol ns) return (ns, false);
        if (symbol is ITypeSymbol typeName) return (typeName, true);
        return model.GetTypeInfo(left).Type is { TypeKind: not TypeKind.Error } type ? (type, false) : null;
    }

    private static List<ISymbol> SymbolsAt(SemanticModel model, SyntaxToken token)
    {
        var node = token.Parent;
        if (node is null) return new List<ISymbol>();
        if (token.IsKind(SyntaxKind.OpenParenToken) && node.Parent is InvocationExpressionSyntax inv) node = inv.Expression;
        if (token.IsKind(SyntaxKind.OpenParenToken) && node is ArgumentListSyntax { Parent: InvocationExpressionSyntax call }) node = call.Expression;
        var info = model.GetSymbolInfo(node);
        if (info.Symbol is { } s) return new List<ISymbol> { s };
        if (info.CandidateSymbols.Length > 0) return info.CandidateSymbols.ToList();
        if (model.GetDeclaredSymbol(node) is { } declared) return new List<ISymbol> { declared };
        if (node is ExpressionSyntax e && model.GetTypeInfo(e).Type is { TypeKind: not TypeKind.Error } t) return new List<ISymbol> { t };
        return new List<ISymbol>();
    }

    private static string? Summary(ISymbol symbol)
    {
        var xml = symbol.GetDocumentationCommentXml(expandIncludes: false);
        if (string.IsNullOrWhiteSpace(xml) && symbol is IMethodSymbol { ReducedFrom: { } original }) xml = original.GetDocumentationCommentXml();
        if (string.IsNullOrWhiteSpace(xml)) return null;
        try
        {
            var summary = XElement.Parse(xml).Element("summary");
            if (summary is null) return null;
            foreach (var reference in summary.Descendants().Where(d => d.Name == "see" || d.Name == "paramref" || d.Name == "typeparamref").ToList())
            {
                var target = (string?)reference.Attribute("cref") ?? (string?)reference.Attribute("name") ?? (string?)reference.Attribute("langword") ?? "";
                reference.ReplaceWith(target.Length > 2 && target[1] == ':' ? target[2..] : target);
            }
            return string.Join(" ", summary.Value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }
        catch (System.Xml.XmlException)
        {
            return null;
        }
    }

    private static string KindOf(ISymbol symbol) => symbol switch
    {
        IMethodSymbol => "method",
        IPropertySymbol => "property",
        IFieldSymbol => "field",
        IEventSymbol => "event",
        ILocalSymbol or IParameterSymbol => "variable",
        INamespaceSymbol => "namespace",
        INamedTypeSymbol t => t.TypeKind.ToString().ToLowerInvariant(),
        _ => symbol.Kind.ToString().ToLowerInvariant(),
    };
}
