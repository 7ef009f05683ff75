using Workbench.Torch;
using Workbench.Torch.Serialization;

namespace Workbench.Models;

/// <summary>
/// Reads the weights files a user may hand to any command: our safetensors (with metadata), or a PyTorch checkpoint
/// (<c>.pth</c>/<c>.pt</c>, zip or legacy, unwrapped from fastai's, BasicSR's and DataParallel's containers by
/// <see cref="TorchCheckpoint"/>; no metadata). The format is told by the bytes, not the extension.
/// </summary>
public static class WeightsFile
{
    /// <summary>The tensors (in the current dispose scope) and metadata of <paramref name="path"/>.</summary>
    public static (Dictionary<string, Tensor> Tensors, Dictionary<string, string> Metadata) Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"weights file '{path}' does not exist", path);
        return IsSafeTensors(path) ? SafeTensors.LoadWithMetadata(path) : (TorchCheckpoint.LoadStateDict(path), new Dictionary<string, string>());
    }

    /// <summary>Only the state_dict (what <c>load_state_dict</c> takes), from either format.</summary>
    public static Dictionary<string, Tensor> ReadStateDict(string path) => Read(path).Tensors;

    /// <summary>
    /// The names and shapes of a PyTorch checkpoint's state dict without its data: each value is a zero-stride view
    /// of one element, with the entry's dtype and shape (for key-layout recognition, which looks at shapes only).
    /// In the current dispose scope.
    /// </summary>
    public static Dictionary<string, Tensor> ReadCheckpointShapes(string path) =>
        TorchCheckpoint.ListEntries(path).ToDictionary(e => e.Name, e => torch.zeros(e.Shape.Select(_ => 1L).ToArray(), e.DType).expand(e.Shape));

    /// <summary>
    /// A safetensors file starts with its header's length (8 bytes, little-endian) and the header's opening brace;
    /// a zip checkpoint starts with "PK" and a legacy one with pickle's PROTO opcode (0x80).
    /// </summary>
    public static bool IsSafeTensors(string path)
    {
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[9];
        return stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length && head[8] == (byte)'{';
    }
}
