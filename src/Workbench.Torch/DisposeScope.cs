namespace Workbench.Torch;

/// <summary>
/// Owns every tensor created on this thread while it is the innermost scope, and frees them
/// when disposed. A training step that runs in a scope releases its temporaries at once
/// instead of waiting for the GC, which cannot see native memory.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? current;

    private readonly HashSet<Tensor> owned = new(ReferenceEqualityComparer.Instance);
    private bool disposed;

    internal DisposeScope()
    {
        Outer = current;
        current = this;
    }

    internal static DisposeScope? Current => current;

    /// <summary>The scope that was current when this one was opened.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>Tensors this scope will free.</summary>
    public int Count => owned.Count;

    internal void Add(Tensor t) => owned.Add(t);

    internal bool Remove(Tensor t) => owned.Remove(t);

    /// <summary>Hands tensors to the enclosing scope (or to no scope) so they outlive this one.</summary>
    public Tensor MoveToOuter(Tensor tensor) => tensor.MoveToOuterDisposeScope();

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        foreach (var t in owned) t.DisposeFromScope();
        owned.Clear();
        // Scopes are strictly nested per thread; restoring the outer one keeps that invariant.
        if (ReferenceEquals(current, this)) current = Outer;
    }
}
