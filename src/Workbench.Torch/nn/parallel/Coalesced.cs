using static Workbench.Torch.torch.distributed;

namespace Workbench.Torch;

public static partial class nn
{
    public static partial class parallel
    {
        /// <summary>
        /// Collectives over many tensors through few calls: tensors are packed into flat buffers of one dtype, up to a
        /// byte cap each, as PyTorch's _broadcast_coalesced and DDP's gradient buckets do. One call per buffer instead
        /// of one per tensor is what keeps a network of hundreds of small tensors from paying a round trip for each.
        /// </summary>
        internal static class Coalesced
        {
            /// <summary>Splits tensors (in the given order) into runs of one dtype, each at most <paramref name="capBytes"/> (a larger tensor gets its own).</summary>
            public static List<List<Tensor>> Buckets(IEnumerable<Tensor> tensors, long firstCapBytes, long capBytes)
            {
                var buckets = new List<List<Tensor>>();
                var open = new Dictionary<ScalarType, (List<Tensor> list, long bytes)>();
                foreach (var t in tensors)
                {
                    var bytes = t.numel() * t.element_size();
                    // PyTorch makes its first bucket 1 MB so its all-reduce starts early in backward; DDP here reduces after backward
                    // and passes one cap for all.
                    if (!open.TryGetValue(t.dtype, out var b) || b.bytes + bytes > (ReferenceEquals(b.list, buckets[0]) ? firstCapBytes : capBytes))
                    {
                        b = (new List<Tensor>(), 0);
                        buckets.Add(b.list);
                    }
                    b.list.Add(t);
                    open[t.dtype] = (b.list, b.bytes + bytes);
                }
                return buckets;
            }

            /// <summary>Overwrites every tensor with rank <paramref name="root"/>'s, one broadcast per bucket.</summary>
            public static void Broadcast(ProcessGroupGloo group, IEnumerable<Tensor> tensors, int root, long capBytes)
            {
                using var noGrad = torch.no_grad();
                foreach (var bucket in Buckets(tensors, capBytes, capBytes))
                {
                    using var scope = torch.NewDisposeScope();
                    var flat = Flatten(bucket);
                    group.broadcast(flat, root);
                    Unflatten(flat, bucket);
                }
            }

            /// <summary>One contiguous 1-D tensor holding the bucket's elements in order.</summary>
            public static Tensor Flatten(IReadOnlyList<Tensor> bucket) =>
                bucket.Count == 1 ? bucket[0].reshape(-1).clone() : torch.cat(bucket.Select(t => t.reshape(-1)).ToList());

            /// <summary>Copies the flat buffer's consecutive slices back into the tensors (in place, so identities are kept).</summary>
            public static void Unflatten(Tensor flat, IReadOnlyList<Tensor> bucket)
            {
                long offset = 0;
                foreach (var t in bucket)
                {
                    var n = t.numel();
                    t.copy_(flat.narrow(0, offset, n).view(t.shape));
                    offset += n;
                }
            }
        }
    }
}
