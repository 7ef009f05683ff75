using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/generator.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern IntPtr wb_generator_new(ulong seed);
    [DllImport(Lib)] internal static extern void wb_generator_free(IntPtr generator);
    [DllImport(Lib)] internal static extern int wb_generator_manual_seed(GeneratorHandle generator, ulong seed);
    [DllImport(Lib)] internal static extern ulong wb_generator_initial_seed(GeneratorHandle generator);
    [DllImport(Lib)] internal static extern IntPtr wb_randn_generator(long[] shape, int ndim, GeneratorHandle generator, int dtype, int requiresGrad);
    [DllImport(Lib)] internal static extern IntPtr wb_poisson(TensorHandle rates, GeneratorHandle generator);
}

/// <summary>Owns one native at::Generator (see <see cref="TensorHandle"/> for why a SafeHandle).</summary>
internal sealed class GeneratorHandle : SafeHandle
{
    public GeneratorHandle() : base(IntPtr.Zero, ownsHandle: true) { }

    public GeneratorHandle(IntPtr handle) : base(IntPtr.Zero, ownsHandle: true) => SetHandle(handle);

    /// <summary>Passes "the global generator" to the shim.</summary>
    public static readonly GeneratorHandle Null = new();

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        NativeMethods.wb_generator_free(handle);
        return true;
    }
}
