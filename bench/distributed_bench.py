"""Data parallelism on this machine: 1 process x 2 threads vs 2 processes x 1 thread, same global batch.

Usage: /usr/bin/python3 bench/distributed_bench.py [--models espcn,rrdbnet,unet_small,zhang] [--steps N] [--rounds R]
Each configuration runs `workbench-bench ddp MODEL PER_RANK_BATCH STEPS` (bench/Workbench.Bench/DistributedBenchmark.cs):
once with WORKBENCH_NUM_THREADS=2 and the whole batch, once as 2 ranks (torchrun's variables, Gloo on loopback)
with WORKBENCH_NUM_THREADS=1 and half the batch each. R rounds alternate the two; each keeps its best median.
Writes bench/results/distributed.json and prints a table.
"""
import argparse
import json
import os
import socket
import subprocess
import sys

from run_all import BENCH_DLL, ROOT, cpu_model

GLOBAL_BATCH = {"espcn": 16, "rrdbnet": 4, "unet_small": 4, "zhang": 16}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(model, processes, steps):
    batch = GLOBAL_BATCH[model] // processes
    cmd = ["dotnet", BENCH_DLL, "ddp", model, str(batch), str(steps)]
    env = dict(os.environ, WORKBENCH_NUM_THREADS=str(2 // processes), OMP_NUM_THREADS=str(2 // processes))
    if processes == 1:
        out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(out.stderr)
        return json.loads(out.stdout.strip().splitlines()[-1])
    port = str(free_port())
    ranks = []
    for rank in range(processes):
        e = dict(env, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, RANK=str(rank), LOCAL_RANK=str(rank),
                 WORLD_SIZE=str(processes), GLOO_SOCKET_IFNAME="lo")
        ranks.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e))
    outs = [p.communicate(timeout=900) for p in ranks]
    for p, (_, err) in zip(ranks, outs):
        if p.returncode != 0:
            raise RuntimeError(err)
    return json.loads(outs[0][0].strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="espcn,rrdbnet,unet_small,zhang")
    parser.add_argument("--steps", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results = []
    for model in args.models.split(","):
        best = {}
        for _ in range(args.rounds):
            for processes in (1, 2):
                r = run(model, processes, args.steps)
                if processes not in best or r["median_step_ms"] < best[processes]["median_step_ms"]:
                    best[processes] = r
        results.extend(best[p] for p in (1, 2))
    print(f"{'model':<11} {'procs x thr':>11} {'batch':>9} {'step ms':>8} {'reduce in step ms':>17} {'transfer ms':>11} {'grad MB':>8} {'img/s':>7}")
    for r in results:
        print(f"{r['model']:<11} {r['processes']:>5} x {r['threads_per_process']:<3}  {r['per_rank_batch']:>3}x{r['processes']:<3} "
              f"{r['median_step_ms']:>8.1f} {r['median_allreduce_ms']:>17.2f} {r['median_transfer_ms']:>11.2f} "
              f"{r['gradient_bytes'] / 1e6:>8.2f} {r['images_per_s']:>7.1f}")
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "distributed.json"), "w") as f:
        json.dump({"cpu": cpu_model(), "results": results}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
