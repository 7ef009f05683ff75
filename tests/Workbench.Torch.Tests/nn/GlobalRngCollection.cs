namespace Workbench.Torch.Tests;

/// <summary>
/// Tests that seed libtorch's global generator and compare against numbers PyTorch drew under the same seed
/// (default init, dropout masks). They run alone, after the parallel tests, so no other test draws from the
/// generator between their manual_seed and their draws.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRngCollection
{
    public const string Name = "global RNG";
}
