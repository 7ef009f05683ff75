namespace Workbench.Torch.Serialization;

// What the unpickler builds before any tensor data is read: storages are only described (their bytes come later,
// after the pickle in the legacy format), tensors are views into them, and globals outside the allowlist are inert
// markers. TorchCheckpoint turns the needed PendingTensors into Tensors once the storages are read.

/// <summary>One storage of the file: a key, an element dtype and count. Its bytes are read later.</summary>
internal sealed class StorageRecord(string key, ScalarType dtype, long numel, int order)
{
    public string Key { get; } = key;

    public ScalarType DType { get; } = dtype;

    public long Numel { get; } = numel;

    public long ByteLength { get; } = checked(numel * dtype.ElementSize());

    /// <summary>Place in order of first use; zip storages are read in this order.</summary>
    public int Order { get; } = order;

    /// <summary>The zip entry holding the bytes (zip format only).</summary>
    public System.IO.Compression.ZipArchiveEntry? Entry { get; init; }
}

/// <summary>What a persistent id resolves to: a storage, or (legacy view_metadata) a window of elements into one.</summary>
internal sealed class StorageRef(StorageRecord root, long offset, long numel)
{
    public StorageRecord Root { get; } = root;

    public long Offset { get; } = offset;

    public long Numel { get; } = numel;
}

/// <summary>A tensor as <c>_rebuild_tensor_v2</c> describes it: a strided view at an element offset into a storage.</summary>
internal sealed class PendingTensor
{
    public PendingTensor(StorageRecord storage, long offset, long[] size, long[] stride)
    {
        Storage = storage;
        Offset = offset;
        Size = size;
        Stride = stride;
        long n = 1;
        foreach (var s in size) n = checked(n * s);
        Numel = n;
        ByteLength = checked(n * storage.DType.ElementSize());
        long expected = 1;
        var contiguous = true;
        for (var d = size.Length - 1; d >= 0; d--)
        {
            if (size[d] != 1 && stride[d] != expected) contiguous = false;
            expected = checked(expected * size[d]);
        }
        IsContiguous = contiguous || n == 0;
    }

    public StorageRecord Storage { get; }

    public long Offset { get; }

    public long[] Size { get; }

    public long[] Stride { get; }

    public long Numel { get; }

    public long ByteLength { get; }

    public ScalarType DType => Storage.DType;

    /// <summary>Row-major without gaps: its elements are <see cref="Numel"/> consecutive ones from <see cref="Offset"/>.</summary>
    public bool IsContiguous { get; }

    public Tensor? Result { get; set; }
}

/// <summary>
/// A global outside the allowlist, or anything built from one. Nothing is ever called: this marker only travels so
/// that a part of the file that is not needed (fastai's optimizer state) can be skipped; any use of it is refused.
/// </summary>
internal sealed class RefusedValue(string fullName, string writtenAs)
{
    /// <summary>module.name after Python 2 names were mapped (e.g. builtins.eval).</summary>
    public string FullName { get; } = fullName;

    /// <summary>module.name as the pickle wrote it (e.g. __builtin__.eval).</summary>
    public string WrittenAs { get; } = writtenAs;

    public string Describe() => FullName == WrittenAs ? FullName : $"{FullName} (written as {WrittenAs})";
}
