using System.Runtime.InteropServices;

namespace Workbench.Inference;

/// <summary>
/// glibc's malloc keeps the blocks a network frees in its heap for reuse, and their pages stay resident: after
/// ResNet-101's layer1 at 140² (maps of 5–20 MB) about 150 MB of free heap stays in DeOldify stable's RSS, and each
/// later stage of other map sizes adds to it. <see cref="Trim"/> hands the free pages back (<c>malloc_trim</c>: the
/// blocks stay in the heap, their pages are dropped and fault back in when reused). Giving every large block its own
/// mapping instead (a fixed <c>M_MMAP_THRESHOLD</c> of 4 MB) peaked 250 MB lower but made the forward 50 % slower on an
/// AMD EPYC VM: oneDNN allocates and frees its buffers on every call, and each one then faults in afresh.
/// </summary>
public static partial class GlibcHeap
{
    /// <summary>Returns the heap's free pages to the system; false where the C library is not glibc.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return malloc_trim(0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and others: their allocator, their policy
        }
    }

    [LibraryImport("libc.so.6")]
    private static partial int malloc_trim(nuint pad);
}
