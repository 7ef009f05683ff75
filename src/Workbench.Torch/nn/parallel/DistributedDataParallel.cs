using static Workbench.Torch.torch.distributed;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class parallel
    {
        /// <summary>
        /// Data-parallel training over a process group, as torch.nn.parallel.DistributedDataParallel: every rank holds a
        /// replica of <see cref="module"/>, trains on its own shard of each batch, and the replicas stay identical because
        /// <list type="bullet">
        /// <item>parameters and buffers are broadcast from rank 0 when the wrapper is built,</item>
        /// <item>buffers (BatchNorm running statistics, spectral-norm power-iteration vectors) are broadcast from rank 0
        /// before every training forward (<paramref name="broadcast_buffers"/>, PyTorch's default),</item>
        /// <item>gradients are averaged over ranks by <see cref="reduce_gradients"/>, in flat buckets of up to
        /// <paramref name="bucket_cap_mb"/> MB (one all-reduce per bucket, not per tensor).</item>
        /// </list>
        /// <para>One difference from PyTorch: PyTorch starts each bucket's all-reduce from autograd hooks while backward
        /// still runs; here the trainer calls <see cref="reduce_gradients"/> after <c>loss.backward()</c> and before
        /// <c>optimizer.step()</c>. The result is the same; only the overlap of communication with backward is lost.</para>
        /// <para>state_dict keys carry PyTorch's "module." prefix; save <see cref="module"/>'s to get the bare ones.</para>
        /// </summary>
        /// <param name="module">The replica on this rank.</param>
        /// <param name="process_group">The group to average over; default: the default group (init_process_group).</param>
        /// <param name="broadcast_buffers">Broadcast buffers from rank 0 before each training forward.</param>
        /// <param name="bucket_cap_mb">Largest gradient bucket, in MB (PyTorch's default 25).</param>
        /// <param name="find_unused_parameters">Allow parameters without a gradient after backward: they count as zero
        /// and receive the average, so replicas stay equal. Without it such a parameter raises (PyTorch would hang or raise).</param>
        public sealed class DistributedDataParallel<TIn, TOut> : Module<TIn, TOut>
        {
            private readonly ProcessGroupGloo group;
            private readonly long capBytes;
            private List<List<Tensor>> gradBuckets = new();
            private List<(string name, Tensor parameter)> trainable = new();

            public DistributedDataParallel(Module<TIn, TOut> module, ProcessGroupGloo? process_group = null, bool broadcast_buffers = true,
                double bucket_cap_mb = 25, bool find_unused_parameters = false)
            {
                group = process_group ?? torch.distributed.group.WORLD ?? throw new InvalidOperationException("Default process group has not been initialized, please make sure to call init_process_group.");
                this.module = register_module("module", module);
                this.broadcast_buffers = broadcast_buffers;
                this.find_unused_parameters = find_unused_parameters;
                capBytes = (long)(bucket_cap_mb * 1024 * 1024);
                UpdateBuckets();
                // PyTorch's _sync_module_states: every replica starts from rank 0's weights (250 MB broadcast buckets).
                Coalesced.Broadcast(group, module.parameters().Concat(module.buffers()), 0, BroadcastBucketBytes);
            }

            /// <summary>The wrapped replica.</summary>
            public Module<TIn, TOut> module { get; }

            public bool broadcast_buffers { get; }
            public bool find_unused_parameters { get; }
            public ProcessGroupGloo process_group => group;

            /// <summary>
            /// Buckets the parameters that require grad now, in reverse registration order as PyTorch (the last layers'
            /// gradients are ready first in backward). Rebuilt when a phase freezes or unfreezes parameters, so a
            /// parameter unfrozen later is averaged too (PyTorch fixes the set at construction and needs a new wrapper).
            /// </summary>
            private void UpdateBuckets()
            {
                var now = module.named_parameters().Where(p => p.parameter.requires_grad).ToList();
                if (now.Count == trainable.Count && now.Zip(trainable).All(x => ReferenceEquals(x.First.parameter, x.Second.parameter))) return;
                trainable = now;
                gradBuckets = Coalesced.Buckets(trainable.Select(p => p.parameter).Reverse(), capBytes, capBytes);
            }

            /// <summary>Gradient buckets: how many all-reduces one <see cref="reduce_gradients"/> makes.</summary>
            public int bucket_count => gradBuckets.Count;

            /// <summary>Bytes one <see cref="reduce_gradients"/> sends into the all-reduce (the sum of the buckets).</summary>
            public long gradient_bytes => trainable.Sum(p => p.parameter.numel() * p.parameter.element_size());

            /// <summary>Rank 0's buffers first when training (so BatchNorm normalizes with the same statistics everywhere), then the replica's forward.</summary>
            public override TOut forward(TIn input)
            {
                if (training && broadcast_buffers && group.size() > 1)
                {
                    var buffers = module.buffers().ToList();
                    if (buffers.Count > 0) Coalesced.Broadcast(group, buffers, 0, BroadcastBucketBytes);
                }
                return module.call(input);
            }

            /// <summary>
            /// Replaces every gradient with its average over the ranks, one all-reduce per bucket. Call after
            /// <c>loss.backward()</c> and before <c>optimizer.step()</c>; every rank must call it the same number of times.
            /// </summary>
            public void reduce_gradients()
            {
                var world = group.size();
                if (world == 1) return;
                UpdateBuckets();
                using var noGrad = torch.no_grad();
                foreach (var bucket in gradBuckets)
                {
                    using var scope = torch.NewDisposeScope();
                    var grads = bucket.Select(p => p.grad ?? MissingGradient(p)).ToList();
                    var flat = Coalesced.Flatten(grads);
                    // Divide first, then sum, as PyTorch's default allreduce hook (keeps large sums in range).
                    flat.div_(world);
                    group.allreduce(flat);
                    Coalesced.Unflatten(flat, grads);
                }
            }

            private Tensor MissingGradient(Tensor parameter)
            {
                if (!find_unused_parameters)
                {
                    var name = trainable.First(p => ReferenceEquals(p.parameter, parameter)).name;
                    throw new InvalidOperationException($"parameter '{name}' has no gradient after backward: it did not take part in producing the loss. " +
                        "Pass find_unused_parameters: true to DistributedDataParallel (it then counts as zero and gets the average), or freeze it.");
                }
                // The zero gradient becomes the parameter's .grad, so the average written into it lands there.
                parameter.grad = torch.zeros_like(parameter);
                return parameter.grad!;
            }

            public override string extra_repr() => "";

            private const long BroadcastBucketBytes = 250L * 1024 * 1024;
        }
    }
}
