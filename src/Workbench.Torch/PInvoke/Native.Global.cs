using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/torch_global.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int wb_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern ulong wb_initial_seed();
    [DllImport(Lib)] internal static extern IntPtr wb_get_rng_state();
    [DllImport(Lib)] internal static extern int wb_set_rng_state(TensorHandle state);
    [DllImport(Lib)] internal static extern int wb_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int wb_get_num_threads();
    [DllImport(Lib)] internal static extern int wb_set_num_threads_this_thread(int n);
    [DllImport(Lib)] internal static extern int wb_set_num_interop_threads(int n);
    [DllImport(Lib)] internal static extern int wb_cuda_is_available();
    [DllImport(Lib)] internal static extern int wb_cuda_device_count();
    [DllImport(Lib)] internal static extern int wb_cuda_synchronize();
    [DllImport(Lib)] internal static extern int wb_mkldnn_is_available();
    [DllImport(Lib)] internal static extern int wb_set_deterministic(int value);
    [DllImport(Lib)] internal static extern IntPtr wb_version();
    [DllImport(Lib)] internal static extern IntPtr wb_config();
}
