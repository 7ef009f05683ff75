"""One rank of a torch.distributed group for the C# tests: PyTorch 1.13's own init_process_group (env://, gloo)
meeting C# ranks. Prints what DistributedChild's all-reduce-once mode prints, so the test compares the same lines."""
import sys
from datetime import timedelta

import torch
import torch.distributed as dist


def main():
    dist.init_process_group("gloo", init_method="env://", timeout=timedelta(seconds=60))
    rank = dist.get_rank()
    t = torch.tensor([rank + 1.0, 2.0 * (rank + 1)])
    dist.all_reduce(t)
    print("sum " + " ".join(f"{v:g}" for v in t.tolist()), flush=True)
    b = torch.tensor([7.0, 8.0]) if rank == 0 else torch.zeros(2)
    dist.broadcast(b, src=0)
    print("bcast " + " ".join(f"{v:g}" for v in b.tolist()), flush=True)
    dist.barrier()
    dist.destroy_process_group()
    return 0


if __name__ == "__main__":
    sys.exit(main())
