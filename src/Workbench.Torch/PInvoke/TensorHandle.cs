using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

/// <summary>
/// Owns one native at::Tensor. Being a SafeHandle, the marshaller keeps it alive for the whole
/// native call, so a temporary argument (a.add(b.mul(c))) cannot be finalized mid-call.
/// </summary>
internal sealed class TensorHandle : SafeHandle
{
    public TensorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public TensorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>Passes "no tensor" (e.g. an absent gradient) to the shim.</summary>
    public static readonly TensorHandle Null = new();

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.wb_tensor_free(handle);
        return true;
    }
}
