namespace Workbench.Torch;

/// <summary>An error raised by libtorch, carrying its message as PyTorch would print it.</summary>
public sealed class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
}
