namespace Workbench.Torch;

public static partial class torch
{
    /// <summary>
    /// torch.distributed over libtorch's own c10d and Gloo: the default process group (init_process_group ...
    /// destroy_process_group) and the collectives on it, with PyTorch's names and rendezvous. A PyTorch process can
    /// be one of the ranks: stores, key prefixes, the start-up barrier and the wire protocol are PyTorch 1.13's.
    /// </summary>
    public static partial class distributed
    {
        /// <summary>PyTorch's default timeout for collectives and rendezvous (30 minutes).</summary>
        public static readonly TimeSpan default_pg_timeout = TimeSpan.FromMinutes(30);

        private static readonly object Gate = new();
        private static ProcessGroupGloo? world;
        private static List<Store> worldStores = new();

        public static bool is_available() => true;
        public static bool is_gloo_available() => true;
        public static bool is_initialized() => world is not null;

        /// <summary>PyTorch's <c>torch.distributed.group</c>: <c>group.WORLD</c> is the default group (null before init).</summary>
        public static class group
        {
            public static ProcessGroupGloo? WORLD => world;
        }

        /// <summary>
        /// Joins the default process group. Either <paramref name="init_method"/> (tcp://host:port, file:///path,
        /// env://, the default) or <paramref name="store"/> with <paramref name="rank"/> and <paramref name="world_size"/>.
        /// Returns once every rank has joined; raises <see cref="DistributedException"/> if they do not within
        /// <paramref name="timeout"/>.
        /// </summary>
        public static void init_process_group(string backend = "gloo", string? init_method = null, TimeSpan? timeout = null,
            int world_size = -1, int rank = -1, Store? store = null)
        {
            if (!string.Equals(backend, "gloo", StringComparison.OrdinalIgnoreCase))
                throw new ArgumentException($"backend '{backend}' is not available: this build of libtorch (CPU) has 'gloo' only");
            var t = timeout ?? default_pg_timeout;
            lock (Gate)
            {
                if (world is not null) throw new InvalidOperationException("trying to initialize the default process group twice!");
                var stores = new List<Store>();
                // Chosen before connecting: with no route to the rendezvous host this fails at once instead of after the timeout.
                var (address, note) = store is null ? GlooDevice.Choose(Rendezvous.Host(init_method ?? "env://")) : (null, null);
                gloo_device_note = note;
                try
                {
                    if (store is null)
                    {
                        (store, rank, world_size) = Rendezvous.Connect(init_method ?? "env://", rank, world_size, t);
                        stores.Add(store);
                        store.timeout = t;
                        // PyTorch prefixes the default group's keys, so a store shared with other systems (RPC) is safe.
                        store = new PrefixStore("default_pg", store);
                        stores.Add(store);
                    }
                    else if (init_method is not null) throw new ArgumentException("Cannot specify both init_method and store.");
                    else if (rank < 0 || world_size <= 0) throw new ArgumentException("rank and world_size are required with a store");

                    // The default group is PyTorch's group "0"; its Gloo keys live under "<prefix>/0/".
                    var groupStore = new PrefixStore("0", store);
                    stores.Add(groupStore);
                    var pg = new ProcessGroupGloo(groupStore, rank, world_size, t, address);
                    try
                    {
                        PublishAddress(store, rank, address);
                        StoreBasedBarrier(store, rank, world_size, t);
                        pg.set_sequence_number_for_group();
                        pg.PeerAddresses = PeerAddresses(store, world_size);
                    }
                    catch
                    {
                        pg.Dispose();
                        throw;
                    }
                    world = pg;
                    worldStores = stores;
                }
                catch
                {
                    for (var i = stores.Count - 1; i >= 0; i--) stores[i].Dispose();
                    throw;
                }
            }
        }

        /// <summary>What <see cref="init_process_group"/> chose for the Gloo device, when it had to choose (null otherwise): print it.</summary>
        public static string? gloo_device_note { get; private set; }

        /// <summary>
        /// This rank's address (the one Gloo advertises: the chosen one, else the hostname's), shared through the store
        /// before the barrier, so that after it every Workbench rank's is there to name a lost peer later.
        /// </summary>
        private static void PublishAddress(Store store, int rank, string? address)
        {
            address ??= GlooDevice.Resolve(System.Net.Dns.GetHostName())?.FirstOrDefault()?.ToString() ?? System.Net.Dns.GetHostName();
            store.set(AddressKey(rank), address);
        }

        /// <summary>Every rank's published address; "?" for a rank that publishes none (a PyTorch peer).</summary>
        private static List<string> PeerAddresses(Store store, int worldSize) =>
            Enumerable.Range(0, worldSize).Select(r => store.check(AddressKey(r)) ? System.Text.Encoding.UTF8.GetString(store.get(AddressKey(r))) : "?").ToList();

        private static string AddressKey(int rank) => $"workbench_address/{rank}";

        /// <summary>
        /// PyTorch's _store_based_barrier after creating the default group: every rank adds 1 to
        /// "store_based_barrier_key:1" and polls until all have (a PyTorch peer waits for this key too).
        /// </summary>
        private static void StoreBasedBarrier(Store store, int rank, int worldSize, TimeSpan timeout)
        {
            const string key = "store_based_barrier_key:1";
            store.add(key, 1);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            long count;
            while ((count = store.add(key, 0)) != worldSize)
            {
                if (watch.Elapsed > timeout)
                    throw new DistributedException($"Timed out initializing process group in store based barrier on rank: {rank}, for key: {key} " +
                        $"(world_size={worldSize}, worker_count={count}, timeout={timeout}): {worldSize - count} rank(s) never joined");
                Thread.Sleep(10);
            }
        }

        /// <summary>Leaves the default group (or destroys <paramref name="group"/>), closing its connections.</summary>
        public static void destroy_process_group(ProcessGroupGloo? group = null)
        {
            lock (Gate)
            {
                if (group is not null && !ReferenceEquals(group, world))
                {
                    group.Dispose();
                    return;
                }
                if (world is null) throw new InvalidOperationException("Invalid process group specified");
                world.Dispose();
                world = null;
                for (var i = worldStores.Count - 1; i >= 0; i--) worldStores[i].Dispose();
                worldStores = new List<Store>();
            }
        }

        public static int get_rank(ProcessGroupGloo? group = null) => Group(group).rank();
        public static int get_world_size(ProcessGroupGloo? group = null) => Group(group).size();

        /// <summary>Reduces <paramref name="tensor"/> in place across ranks; every rank ends with the result.</summary>
        public static void all_reduce(Tensor tensor, ReduceOp op = ReduceOp.SUM, ProcessGroupGloo? group = null) => Group(group).allreduce(tensor, op);

        /// <summary>Overwrites <paramref name="tensor"/> on every rank with rank <paramref name="src"/>'s.</summary>
        public static void broadcast(Tensor tensor, int src, ProcessGroupGloo? group = null) => Group(group).broadcast(tensor, src);

        /// <summary>Fills <paramref name="tensor_list"/> (one tensor per rank, shaped like <paramref name="tensor"/>) with every rank's tensor.</summary>
        public static void all_gather(IReadOnlyList<Tensor> tensor_list, Tensor tensor, ProcessGroupGloo? group = null) => Group(group).allgather(tensor_list, tensor);

        /// <summary>Returns once every rank has called it.</summary>
        public static void barrier(ProcessGroupGloo? group = null) => Group(group).barrier();

        private static ProcessGroupGloo Group(ProcessGroupGloo? group) =>
            group ?? world ?? throw new InvalidOperationException("Default process group has not been initialized, please make sure to call init_process_group.");
    }
}
