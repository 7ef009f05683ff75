namespace Workbench.Torch.Serialization;

/// <summary>A safetensors file (or buffer) that breaks the format; the message names the source and the problem.</summary>
public sealed class SafeTensorsFormatException : Exception
{
    public SafeTensorsFormatException(string source, string problem, Exception? inner = null)
        : base($"{source}: not a valid safetensors file: {problem}", inner)
    {
        SourceName = source;
        Problem = problem;
    }

    /// <summary>The file path, or a description such as "&lt;bytes&gt;".</summary>
    public string SourceName { get; }

    public string Problem { get; }
}
