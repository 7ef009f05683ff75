"""PyTorch twins of bench/Workbench.Bench: same names, same work, same JSON line.

Usage: /usr/bin/python3 bench/pytorch_bench.py NAME [--seconds S] [--threads N] [--min-steps N]
"""
import argparse
import json
import resource
import statistics
import time

import torch

import pytorch_data_bench
import pytorch_model_bench
import pytorch_published_bench


def matmul_2048():
    n = 2048
    a, b = torch.randn(n, n), torch.randn(n, n)
    return (lambda: a @ b), "2048x2048 float32 matmul", 2.0 * n ** 3, None


def small_ops_x100():
    x = torch.randn(16, 16)

    def step():
        y = x
        for _ in range(25):
            y = ((y * 0.5) + 1).tanh().sub(0.1)
    return step, "100 elementwise ops on a 16x16 tensor", None, None


def mlp_train_step():
    w1 = (torch.randn(1024, 1024) * 0.02).requires_grad_()
    w2 = (torch.randn(1024, 10) * 0.02).requires_grad_()
    x, target = torch.randn(256, 1024), torch.randn(256, 10)

    def step():
        loss = (x.matmul(w1).relu().matmul(w2) - target).pow(2).mean()
        loss.backward()
        with torch.no_grad():
            for w in (w1, w2):
                w.sub_(w.grad, alpha=0.01)
                w.grad.zero_()
    return step, "MLP 1024-1024-10, batch 256: forward, backward, SGD", 3 * 2.0 * 256 * (1024 * 1024 + 1024 * 10), 256


def conv_lrelu_conv():
    import torch.nn.functional as F
    x = torch.randn(16, 64, 64, 64)
    w1 = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_()
    b1 = torch.zeros(64, requires_grad=True)
    w2 = (torch.randn(64, 64, 3, 3) * 0.05).requires_grad_()
    b2 = torch.zeros(64, requires_grad=True)

    def step():
        y = F.conv2d(F.leaky_relu(F.conv2d(x, w1, b1, padding=1), 0.1), w2, b2, padding=1)
        y.sum().backward()
        for p in (w1, b1, w2, b2):
            p.grad = None
    return step, "conv3x3-leaky_relu-conv3x3 fwd+bwd, 16x64x64x64", 3 * 2 * (2.0 * 16 * 64 * 64 * 64 * 64 * 9), 16


BENCHMARKS = {f.__name__: f for f in (matmul_2048, small_ops_x100, mlp_train_step, conv_lrelu_conv,
                                       *pytorch_model_bench.BENCHMARKS, *pytorch_data_bench.BENCHMARKS,
                                       *pytorch_published_bench.BENCHMARKS)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=sorted(BENCHMARKS))
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--min-steps", type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    step, description, flops, items = BENCHMARKS[args.name]()
    setup_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # loading and the FLOP-count forward end here
    start = time.perf_counter()
    while time.perf_counter() - start < args.seconds / 4:
        step()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < args.seconds or len(times) < args.min_steps:
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    median = statistics.median(times)
    print(json.dumps({
        "name": args.name, "impl": "pytorch", "description": description, "threads": torch.get_num_threads(),
        "steps": len(times), "median_ms": median * 1e3, "min_ms": min(times) * 1e3,
        "gflops": flops / median / 1e9 if flops else None, "items_per_s": items / median if items else None,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "setup_peak_rss_mb": setup_rss,
    }))


if __name__ == "__main__":
    main()
