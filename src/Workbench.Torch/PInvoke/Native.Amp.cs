using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/amp.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern int wb_autocast_is_enabled(int device_type, out int enabled);
    [DllImport(Lib)] internal static extern int wb_autocast_set_enabled(int device_type, int enabled);
    [DllImport(Lib)] internal static extern int wb_autocast_get_dtype(int device_type, out int dtype);
    [DllImport(Lib)] internal static extern int wb_autocast_set_dtype(int device_type, int dtype);
    [DllImport(Lib)] internal static extern int wb_autocast_increment_nesting();
    [DllImport(Lib)] internal static extern int wb_autocast_decrement_nesting();
    [DllImport(Lib)] internal static extern int wb_autocast_clear_cache();
    [DllImport(Lib)] internal static extern int wb_autocast_is_cache_enabled();
    [DllImport(Lib)] internal static extern int wb_autocast_set_cache_enabled(int enabled);
}
