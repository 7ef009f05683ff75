using System.Runtime.InteropServices;
using System.Text;

using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// A c10d key-value store, as torch.distributed.Store: the rendezvous ranks use to find each other (Gloo
        /// publishes its addresses here) and a small shared dictionary. Every blocking call is bounded by the
        /// store's timeout and raises <see cref="DistributedException"/> when it expires.
        /// </summary>
        public abstract class Store : IDisposable
        {
            private protected Store(StoreHandle handle) => Handle = handle;

            internal StoreHandle Handle { get; }

            /// <summary>
            /// How long get and wait block before raising. Settable: PyTorch's <c>store.set_timeout(t)</c> (C# reserves
            /// that name for this property's setter).
            /// </summary>
            public TimeSpan timeout
            {
                get => TimeSpan.FromMilliseconds(wb_store_get_timeout(Handle));
                set => Run("set_timeout", () => Check(wb_store_set_timeout(Handle, Milliseconds(value))));
            }

            public void set(string key, string value) => set(key, Encoding.UTF8.GetBytes(value));

            public unsafe void set(string key, byte[] value) => Run($"set('{key}')", () =>
            {
                fixed (byte* p = value) Check(wb_store_set(Handle, key, p, value.Length));
            });

            /// <summary>The value of <paramref name="key"/>, waiting up to the timeout for some rank to set it.</summary>
            public byte[] get(string key) => Run($"get('{key}')", () =>
            {
                var buffer = Check(wb_store_get(Handle, key, out var length));
                try
                {
                    var value = new byte[length];
                    Marshal.Copy(buffer, value, 0, value.Length);
                    return value;
                }
                finally
                {
                    wb_free(buffer);
                }
            });

            /// <summary>Adds <paramref name="amount"/> to the integer at <paramref name="key"/> (created as 0) and returns the new value.</summary>
            public long add(string key, long amount) => Run($"add('{key}')", () =>
            {
                Check(wb_store_add(Handle, key, amount, out var result));
                return result;
            });

            public bool check(string key) => Run($"check('{key}')", () =>
            {
                Check(wb_store_check(Handle, key, out var result));
                return result != 0;
            });

            /// <summary>Blocks until every key is set, raising after <paramref name="timeout"/> (default: the store's).</summary>
            public void wait(IEnumerable<string> keys, TimeSpan? timeout = null)
            {
                foreach (var key in keys) Run($"wait('{key}')", () => Check(wb_store_wait(Handle, key, Milliseconds(timeout ?? this.timeout))));
            }

            public bool delete_key(string key) => Run($"delete_key('{key}')", () =>
            {
                Check(wb_store_delete_key(Handle, key, out var result));
                return result != 0;
            });

            public void Dispose()
            {
                Handle.Dispose();
                GC.SuppressFinalize(this);
            }

            private void Run(string what, Action call) => Run(what, () => { call(); return 0; });

            private T Run<T>(string what, Func<T> call)
            {
                try
                {
                    return call();
                }
                catch (TorchException e)
                {
                    throw new DistributedException($"{GetType().Name}.{what} failed: {e.Message}", e);
                }
            }
        }

        /// <summary>
        /// A store served over TCP by one process (<paramref name="is_master"/>, normally rank 0) and reached by the
        /// others, as torch.distributed.TCPStore; wire-compatible with PyTorch's. A client retries the connection until
        /// the timeout, so ranks may start in any order. Port 0 lets the master pick a free port (<see cref="port"/>).
        /// </summary>
        public sealed class TCPStore : Store
        {
            public TCPStore(string host_name, int port, int? world_size = null, bool is_master = false, TimeSpan? timeout = null,
                bool wait_for_workers = true, bool multi_tenant = false)
                : base(Create(host_name, port, world_size, is_master, timeout ?? DefaultStoreTimeout, wait_for_workers, multi_tenant))
            {
                host = host_name;
            }

            public string host { get; }

            /// <summary>The port the store listens on (the one the master picked, when created with port 0).</summary>
            public int port => wb_tcp_store_port(Handle);

            private static StoreHandle Create(string host, int port, int? worldSize, bool isMaster, TimeSpan timeout, bool waitForWorkers, bool multiTenant)
            {
                if (port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(port), $"port must have value from 0 to 65535 but was {port}.");
                try
                {
                    return Check(wb_tcp_store_new(host, port, worldSize ?? -1, isMaster ? 1 : 0, Milliseconds(timeout), waitForWorkers ? 1 : 0, multiTenant ? 1 : 0));
                }
                catch (TorchException e)
                {
                    var role = isMaster ? $"serve a TCPStore on {host}:{port}" : $"reach the TCPStore at {host}:{port} (is rank 0 running, and MASTER_ADDR/MASTER_PORT right?)";
                    throw new DistributedException($"could not {role} within {timeout.TotalSeconds:0.#} s: {e.Message}", e);
                }
            }
        }

        /// <summary>A store in a shared file (all ranks on one machine or a shared file system), as torch.distributed.FileStore.</summary>
        public sealed class FileStore : Store
        {
            public FileStore(string file_name, int world_size = -1) : base(Create(file_name, world_size)) => path = file_name;

            public string path { get; }

            private static StoreHandle Create(string path, int worldSize)
            {
                try
                {
                    return Check(wb_file_store_new(path, worldSize));
                }
                catch (TorchException e)
                {
                    throw new DistributedException($"could not open the FileStore '{path}': {e.Message}", e);
                }
            }
        }

        /// <summary>Prepends "<paramref name="prefix"/>/" to every key of another store, as torch.distributed.PrefixStore.</summary>
        public sealed class PrefixStore : Store
        {
            public PrefixStore(string prefix, Store store) : base(Check(wb_prefix_store_new(prefix, store.Handle))) => underlying_store = store;

            public Store underlying_store { get; }
        }

        /// <summary>PyTorch's default store timeout (torch.distributed.constants.default_pg_timeout for stores is 300 s).</summary>
        public static readonly TimeSpan DefaultStoreTimeout = TimeSpan.FromSeconds(300);

        private static long Milliseconds(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? long.MaxValue / 2 : (long)Math.Ceiling(t.TotalMilliseconds);
    }
}
