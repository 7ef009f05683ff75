using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Workbench.Kernel;

/// <summary>
/// Cooperative interruption of a running cell. .NET cannot abort a thread, so the interpreter rewrites every
/// submission to call <see cref="ThrowIfRequested"/> at the top of each loop iteration and method body; an
/// interrupt_request sets the flag and the cell unwinds with <see cref="ExecutionInterruptedException"/>.
/// Long-running library code can call it too.
/// </summary>
public static class Interruption
{
    private static volatile bool requested;

    public static bool IsRequested => Interruption.requested;

    /// <summary>Throws when an interrupt was requested for the running cell. Cheap: one volatile read.</summary>
    public static void ThrowIfRequested()
    {
        if (Interruption.requested) Throw();
    }

    internal static void Request() => Interruption.requested = true;

    internal static void Reset() => Interruption.requested = false;

    [DoesNotReturn, MethodImpl(MethodImplOptions.NoInlining)]
    private static void Throw() => throw new ExecutionInterruptedException();
}

/// <summary>The cell was interrupted (the kernel's KeyboardInterrupt).</summary>
public sealed class ExecutionInterruptedException() : OperationCanceledException("Execution interrupted by the user.");
