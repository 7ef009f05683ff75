namespace Workbench.Torch.Serialization;

/// <summary>
/// A PyTorch checkpoint that <see cref="TorchCheckpoint"/> cannot or will not read: a corrupt or truncated file,
/// a format it does not support, or a pickle that names a callable outside the weights-only allowlist (then
/// <see cref="RefusedGlobal"/> names it; nothing in the file was run). The message names the file and the problem.
/// </summary>
public sealed class TorchCheckpointFormatException : Exception
{
    public TorchCheckpointFormatException(string source, string problem, Exception? inner = null, string? refusedGlobal = null)
        : base($"{source}: cannot read this PyTorch checkpoint: {problem}", inner)
    {
        SourceName = source;
        Problem = problem;
        RefusedGlobal = refusedGlobal;
    }

    /// <summary>The file path, or the name given to a stream.</summary>
    public string SourceName { get; }

    public string Problem { get; }

    /// <summary>The refused global as <c>module.name</c> (e.g. <c>posix.system</c>), when that was the problem.</summary>
    public string? RefusedGlobal { get; }
}
