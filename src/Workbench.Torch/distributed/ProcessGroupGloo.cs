using Workbench.Torch.PInvoke;

using static Workbench.Torch.PInvoke.NativeMethods;

namespace Workbench.Torch;

public static partial class torch
{
    public static partial class distributed
    {
        /// <summary>
        /// libtorch's Gloo process group (c10d::ProcessGroupGloo), as torch.distributed.ProcessGroupGloo: ranks meet
        /// through <paramref name="store"/>, then talk over TCP. Every collective blocks until done and raises
        /// <see cref="DistributedException"/> if a peer dies or stays silent past <paramref name="timeout"/>.
        /// <para>Several groups may live in one process (each rank on its own thread), which is how tests run two
        /// ranks without two processes. The network device is chosen as PyTorch chooses it: the interfaces in
        /// GLOO_SOCKET_IFNAME, else the address this machine's hostname resolves to.</para>
        /// </summary>
        public sealed class ProcessGroupGloo : IDisposable
        {
            private readonly ProcessGroupHandle handle;

            public ProcessGroupGloo(Store store, int rank, int size, TimeSpan? timeout = null, string? hostname = null)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
                if (rank < 0 || rank >= size) throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} is outside the group of size {size}");
                var t = timeout ?? default_pg_timeout;
                var interfaces = System.Environment.GetEnvironmentVariable("GLOO_SOCKET_IFNAME");
                var connecting = Task.Run(() => Check(wb_process_group_gloo_new(store.Handle, rank, size, Milliseconds(t), string.IsNullOrEmpty(interfaces) ? null : interfaces, hostname)));
                // Gloo retries a refused connection on its own clock, past the group's timeout (seen: 100 s for 20 s), so the
                // wait is bounded here. A late native call finishes on its thread; the group it may still return is closed then.
                if (!((IAsyncResult)connecting).AsyncWaitHandle.WaitOne(t + ConnectGrace))
                {
                    connecting.ContinueWith(c => c.Result.Dispose(), TaskContinuationOptions.OnlyOnRanToCompletion);
                    throw new DistributedException($"rank {rank} of {size} could not connect its Gloo process group within {t.TotalSeconds:0.#} s: a peer never " +
                        "connected (a rank that never started or died during rendezvous, or one that advertised an address this rank cannot reach)");
                }
                try
                {
                    handle = connecting.GetAwaiter().GetResult();
                }
                catch (TorchException e)
                {
                    throw new DistributedException($"rank {rank} of {size} could not connect its Gloo process group within {t.TotalSeconds:0.#} s " +
                        $"(a rank that never started or died during rendezvous shows up here): {e.Message}", e);
                }
                Store = store;
            }

            private static readonly TimeSpan ConnectGrace = TimeSpan.FromSeconds(5);

            /// <summary>Each rank's address as it published it at rendezvous (init_process_group fills it), to name a lost peer.</summary>
            internal IReadOnlyList<string> PeerAddresses { get; set; } = [];

            /// <summary>The store the group met through (the group keeps using it for sequence numbers).</summary>
            public Store Store { get; }

            public int rank() => wb_process_group_rank(Handle);
            public int size() => wb_process_group_size(Handle);
            public TimeSpan timeout => TimeSpan.FromMilliseconds(wb_process_group_timeout(Handle));

            private ProcessGroupHandle Handle => !handle.IsClosed ? handle : throw new ObjectDisposedException(nameof(ProcessGroupGloo), "the process group was destroyed");

            /// <summary>Reduces <paramref name="tensor"/> in place across ranks (every rank passes the same shape and dtype).</summary>
            public void allreduce(Tensor tensor, ReduceOp op = ReduceOp.SUM)
            {
                if (op == ReduceOp.AVG)
                {
                    allreduce(tensor, ReduceOp.SUM);
                    using (no_grad()) tensor.div_(size());
                    return;
                }
                var h = Tensor.Handles(new[] { tensor });
                Run("all_reduce", () => wb_process_group_allreduce(Handle, h, 1, (int)op));
                GC.KeepAlive(tensor);
            }

            /// <summary>Overwrites <paramref name="tensor"/> on every rank with rank <paramref name="root"/>'s.</summary>
            public void broadcast(Tensor tensor, int root = 0)
            {
                var h = Tensor.Handles(new[] { tensor });
                Run("broadcast", () => wb_process_group_broadcast(Handle, h, 1, root));
                GC.KeepAlive(tensor);
            }

            /// <summary>Fills <paramref name="outputs"/> (one tensor per rank, shaped like <paramref name="input"/>) with every rank's input.</summary>
            public void allgather(IReadOnlyList<Tensor> outputs, Tensor input)
            {
                if (outputs.Count != size()) throw new ArgumentException($"all_gather needs {size()} output tensors (one per rank), got {outputs.Count}");
                var h = Tensor.Handles(outputs);
                Run("all_gather", () => wb_process_group_allgather(Handle, h, h.Length, input.Handle));
                GC.KeepAlive(outputs);
            }

            public void barrier() => Run("barrier", () => wb_process_group_barrier(Handle));

            /// <summary>PyTorch runs this once after creating a group: rank 0 publishes a sequence number, the others wait for it.</summary>
            internal void set_sequence_number_for_group() => Run("set_sequence_number_for_group", () => wb_process_group_set_sequence_number(Handle));

            private void Run(string what, Func<int> call)
            {
                try
                {
                    Check(call());
                }
                catch (TorchException e)
                {
                    throw new DistributedException($"{what} failed on rank {rank()} of {size()} (timeout {timeout.TotalSeconds:0.#} s): {e.Message}" + Hint(e.Message) + Peers(e.Message), e);
                }
            }

            /// <summary>Gloo's messages name the socket, not the cause a researcher should check first.</summary>
            private static string Hint(string message) =>
                message.Contains("closed by peer", StringComparison.OrdinalIgnoreCase) || message.Contains("Connection reset", StringComparison.OrdinalIgnoreCase)
                    ? " — a peer rank exited or crashed"
                    : message.Contains("Timed out", StringComparison.OrdinalIgnoreCase) ? " — a peer rank is stuck, too slow or unreachable" : "";

            /// <summary>
            /// The peer Gloo's message names ("[10.77.0.2]:41234"), as a rank, when one peer has that address; otherwise
            /// every peer's rank and address, so the reader knows which machines to check.
            /// </summary>
            private string Peers(string message)
            {
                var self = rank();
                var peers = PeerAddresses.Select((address, r) => (address, r)).Where(p => p.r != self).ToList();
                if (peers.Count == 0) return "";
                var named = System.Text.RegularExpressions.Regex.Matches(message, @"\[([^\]]+)\]").Select(m => m.Groups[1].Value).ToHashSet();
                var lost = peers.Where(p => named.Contains(p.address)).ToList();
                return lost.Count == 1
                    ? $"; lost peer: rank {lost[0].r} ({lost[0].address})"
                    : $"; peers: {string.Join(", ", peers.Select(p => $"rank {p.r} at {p.address}"))}";
            }

            /// <summary>Closes the connections; later calls raise ObjectDisposedException.</summary>
            public void Dispose()
            {
                handle.Dispose();
                GC.SuppressFinalize(this);
            }
        }
    }
}
