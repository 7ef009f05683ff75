using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Workbench.Kernel.Interpreter;

/// <summary>
/// Rewrites a submission so that every loop iteration and every method body first calls
/// <see cref="Interruption.ThrowIfRequested"/>. Only tokens are added, never line breaks, so line numbers
/// in stack traces stay those of the cell the user wrote.
/// </summary>
internal sealed class InterruptionRewriter : CSharpSyntaxRewriter
{
    private static readonly string CheckText = "global::" + typeof(Interruption).FullName + "." + nameof(Interruption.ThrowIfRequested) + "();";

    public static string Rewrite(SyntaxTree tree) => new InterruptionRewriter().Visit(tree.GetRoot()).ToFullString();

    public override SyntaxNode? VisitWhileStatement(WhileStatementSyntax node)
    {
        var n = (WhileStatementSyntax)base.VisitWhileStatement(node)!;
        return n.WithStatement(Guard(n.Statement));
    }

    public override SyntaxNode? VisitDoStatement(DoStatementSyntax node)
    {
        var n = (DoStatementSyntax)base.VisitDoStatement(node)!;
        return n.WithStatement(Guard(n.Statement));
    }

    public override SyntaxNode? VisitForStatement(ForStatementSyntax node)
    {
        var n = (ForStatementSyntax)base.VisitForStatement(node)!;
        return n.WithStatement(Guard(n.Statement));
    }

    public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node)
    {
        var n = (ForEachStatementSyntax)base.VisitForEachStatement(node)!;
        return n.WithStatement(Guard(n.Statement));
    }

    public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node)
    {
        var n = (ForEachVariableStatementSyntax)base.VisitForEachVariableStatement(node)!;
        return n.WithStatement(Guard(n.Statement));
    }

    // A backwards goto is a loop too.
    public override SyntaxNode? VisitGotoStatement(GotoStatementSyntax node) => Guard((GotoStatementSyntax)base.VisitGotoStatement(node)!);

    // Method bodies: recursion without loops still passes through here.
    public override SyntaxNode? VisitMethodDeclaration(MethodDeclarationSyntax node)
    {
        var n = (MethodDeclarationSyntax)base.VisitMethodDeclaration(node)!;
        return n.Body is null ? n : n.WithBody(GuardBlock(n.Body));
    }

    public override SyntaxNode? VisitLocalFunctionStatement(LocalFunctionStatementSyntax node)
    {
        var n = (LocalFunctionStatementSyntax)base.VisitLocalFunctionStatement(node)!;
        return n.Body is null ? n : n.WithBody(GuardBlock(n.Body));
    }

    public override SyntaxNode? VisitConstructorDeclaration(ConstructorDeclarationSyntax node)
    {
        var n = (ConstructorDeclarationSyntax)base.VisitConstructorDeclaration(node)!;
        return n.Body is null ? n : n.WithBody(GuardBlock(n.Body));
    }

    public override SyntaxNode? VisitAccessorDeclaration(AccessorDeclarationSyntax node)
    {
        var n = (AccessorDeclarationSyntax)base.VisitAccessorDeclaration(node)!;
        return n.Body is null ? n : n.WithBody(GuardBlock(n.Body));
    }

    private static StatementSyntax Check() => SyntaxFactory.ParseStatement(CheckText);

    /// <summary>`{` check(); the rest ...: the check sits on the brace's line, before the brace's comment or line end.</summary>
    private static BlockSyntax GuardBlock(BlockSyntax block)
    {
        var open = block.OpenBraceToken;
        var check = Check().WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(open.TrailingTrivia);
        return block.WithOpenBraceToken(open.WithTrailingTrivia()).WithStatements(block.Statements.Insert(0, check));
    }

    /// <summary>A loop body: a block gets the check inserted, a single statement becomes `{ check(); statement }` on its own lines.</summary>
    private static StatementSyntax Guard(StatementSyntax statement)
    {
        if (statement is BlockSyntax block) return GuardBlock(block);
        var open = SyntaxFactory.Token(SyntaxKind.OpenBraceToken).WithLeadingTrivia(statement.GetLeadingTrivia()).WithTrailingTrivia(SyntaxFactory.Space);
        var close = SyntaxFactory.Token(SyntaxKind.CloseBraceToken).WithLeadingTrivia(SyntaxFactory.Space).WithTrailingTrivia(statement.GetTrailingTrivia());
        var inner = statement.WithLeadingTrivia().WithTrailingTrivia();
        return SyntaxFactory.Block(open, SyntaxFactory.List(new[] { Check().WithTrailingTrivia(SyntaxFactory.Space), inner }), close);
    }
}
