namespace Workbench.Kernel.Tests.Interpreter;

/// <summary>Test classes that run a <c>RoslynInterpreter</c>: it takes over Console and static flags, so they run one at a time.</summary>
[CollectionDefinition(Name)]
public sealed class InterpreterCollection
{
    public const string Name = "Roslyn interpreter";
}
