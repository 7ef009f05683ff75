using System.Runtime.InteropServices;

namespace Workbench.Inference;

/// <summary>
/// glibc's malloc keeps freed blocks below its mmap threshold in the heap for reuse, and raises that threshold up to
/// 32 MB as large blocks come and go. A network's forward frees maps of ever-changing sizes (1–32 MB for DeOldify at
/// render_factor 35), and the heap keeps growing around them: DeOldify stable's peak RSS was 250 MB higher for it.
/// A fixed threshold gives each block of <see cref="MapBytes"/> or more its own mapping, returned to the system when
/// freed, at the price of a page fault per 4 KB when it is first written: nothing next to a conv that fills it.
/// Set for inference commands only; training keeps glibc's default.
/// </summary>
public static partial class GlibcHeap
{
    /// <summary>The fixed mmap threshold.</summary>
    public const int MapBytes = 4 << 20;

    private const int MmapThreshold = -3; // M_MMAP_THRESHOLD in malloc.h

    /// <summary>Fixes the mmap threshold at <see cref="MapBytes"/>; false where the C library is not glibc.</summary>
    public static bool ReturnLargeBlocks()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return mallopt(MmapThreshold, MapBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // musl and others: their allocator, their policy
        }
    }

    [LibraryImport("libc.so.6")]
    private static partial int mallopt(int param, int value);
}
