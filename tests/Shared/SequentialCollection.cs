namespace Workbench.Testing;

/// <summary>
/// Tests that need the process-global torch RNG sequence to be theirs alone (seeded runs compared
/// step by step) join this collection; xunit runs it after the parallel ones, with nothing beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SequentialCollection
{
    public const string Name = "Sequential (global torch RNG)";
}
