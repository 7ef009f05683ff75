using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

/// <summary>Owns one c10d store (an intrusive_ptr, so a PrefixStore keeps its inner store alive natively).</summary>
internal sealed class StoreHandle : SafeHandle
{
    public StoreHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.wb_store_free(handle);
        return true;
    }
}

/// <summary>Owns one Gloo process group; freeing it closes its connections.</summary>
internal sealed class ProcessGroupHandle : SafeHandle
{
    public ProcessGroupHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.wb_process_group_free(handle);
        return true;
    }
}
