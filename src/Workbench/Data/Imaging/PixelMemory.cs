using System.Runtime.InteropServices;

using Workbench.Torch;

namespace Workbench.Data.Imaging;

/// <summary>
/// Unmanaged memory holding pixels on their way between tensors and the imaging library: no multi-megabyte arrays on
/// the GC heap and nothing to pin. Tensors go in with <see cref="Tensor.CopyTo{T}"/> and come out with
/// <see cref="torch.from_span{T}"/>, one copy each way.
/// </summary>
internal sealed unsafe class PixelMemory : IDisposable
{
    private void* pointer;

    public PixelMemory(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        pointer = NativeMemory.Alloc((nuint)Math.Max(bytes, 1));
        Length = bytes;
    }

    /// <summary>The size in bytes.</summary>
    public long Length { get; }

    public void* Pointer => pointer != null ? pointer : throw new ObjectDisposedException(nameof(PixelMemory));

    /// <summary>A copy of the tensor's elements (row-major) as T, which must match its dtype.</summary>
    public static PixelMemory CopyOf<T>(Tensor tensor) where T : unmanaged
    {
        var memory = new PixelMemory(tensor.numel() * sizeof(T));
        try
        {
            tensor.CopyTo(memory.AsSpan<T>());
            return memory;
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    public Span<T> AsSpan<T>() where T : unmanaged => new(Pointer, checked((int)(Length / sizeof(T))));

    /// <summary>A new CPU tensor of <paramref name="shape"/> holding a copy of these bytes as T.</summary>
    public Tensor ToTensor<T>(long[] shape) where T : unmanaged => torch.from_span<T>(AsSpan<T>(), shape);

    public void Dispose()
    {
        NativeMemory.Free(pointer);
        pointer = null;
    }
}
