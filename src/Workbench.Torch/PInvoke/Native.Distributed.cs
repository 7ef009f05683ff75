using System.Runtime.InteropServices;

namespace Workbench.Torch.PInvoke;

// Twin of src/Workbench.Native/distributed.cpp.
internal static partial class NativeMethods
{
    [DllImport(Lib)] internal static extern StoreHandle wb_tcp_store_new(string host, int port, int worldSize, int isMaster, long timeoutMs, int waitForWorkers, int multiTenant);
    [DllImport(Lib)] internal static extern int wb_tcp_store_port(StoreHandle store);
    [DllImport(Lib)] internal static extern StoreHandle wb_file_store_new(string path, int worldSize);
    [DllImport(Lib)] internal static extern StoreHandle wb_prefix_store_new(string prefix, StoreHandle inner);
    [DllImport(Lib)] internal static extern void wb_store_free(IntPtr store);
    [DllImport(Lib)] internal static extern unsafe int wb_store_set(StoreHandle store, string key, byte* value, long length);
    [DllImport(Lib)] internal static extern IntPtr wb_store_get(StoreHandle store, string key, out long length);
    [DllImport(Lib)] internal static extern int wb_store_add(StoreHandle store, string key, long value, out long result);
    [DllImport(Lib)] internal static extern int wb_store_check(StoreHandle store, string key, out int result);
    [DllImport(Lib)] internal static extern int wb_store_wait(StoreHandle store, string key, long timeoutMs);
    [DllImport(Lib)] internal static extern int wb_store_delete_key(StoreHandle store, string key, out int result);
    [DllImport(Lib)] internal static extern int wb_store_set_timeout(StoreHandle store, long timeoutMs);
    [DllImport(Lib)] internal static extern long wb_store_get_timeout(StoreHandle store);

    [DllImport(Lib)] internal static extern ProcessGroupHandle wb_process_group_gloo_new(StoreHandle store, int rank, int size, long timeoutMs, string? interfaces, string? hostname);
    [DllImport(Lib)] internal static extern void wb_process_group_free(IntPtr group);
    [DllImport(Lib)] internal static extern int wb_process_group_rank(ProcessGroupHandle group);
    [DllImport(Lib)] internal static extern int wb_process_group_size(ProcessGroupHandle group);
    [DllImport(Lib)] internal static extern long wb_process_group_timeout(ProcessGroupHandle group);
    [DllImport(Lib)] internal static extern int wb_process_group_set_sequence_number(ProcessGroupHandle group);
    [DllImport(Lib)] internal static extern int wb_process_group_allreduce(ProcessGroupHandle group, IntPtr[] tensors, int n, int op);
    [DllImport(Lib)] internal static extern int wb_process_group_broadcast(ProcessGroupHandle group, IntPtr[] tensors, int n, int root);
    [DllImport(Lib)] internal static extern int wb_process_group_allgather(ProcessGroupHandle group, IntPtr[] outputs, int n, TensorHandle input);
    [DllImport(Lib)] internal static extern int wb_process_group_barrier(ProcessGroupHandle group);
}

internal static partial class NativeMethods
{
    /// <summary>Throws the pending native error when a constructor returned no object.</summary>
    internal static T Check<T>(T handle) where T : SafeHandle
    {
        if (handle.IsInvalid)
        {
            handle.Dispose();
            ThrowLastError();
        }
        return handle;
    }
}
