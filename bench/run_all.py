"""Runs every benchmark in C# (Workbench) and PyTorch 1.13 (same libtorch, same threads) and prints ratios.

Usage: /usr/bin/python3 bench/run_all.py [--seconds S] [--rounds R] [--min-steps N] [--only NAME,...] [--write-md]
Each benchmark runs in its own process (clean peak RSS), C# then PyTorch, alternating, R rounds; each side keeps
its best median. ratio = Workbench median step time / PyTorch median step time (< 1.0 means Workbench is faster).
"""
import argparse
import datetime
import json
import os
import platform
import subprocess
import sys

import bench_jpegs
import published_bench_weights

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DLL = os.path.join(ROOT, "bench", "Workbench.Bench", "bin", "Release", "net10.0", "workbench-bench.dll")


# The benchmarks that load bench/published_bench_weights.py's files.
PUBLISHED = {"deoldify_stable_rf35", "deoldify_artistic_rf35", "zhang_eccv16_256", "rrdbnet_x4_23b_256", "srvgg_compact_x4_512"}


def run(cmd, env):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main():
    parser = argparse.ArgumentParser()
    # 1.5 s per side and round (after a warm-up, at least 5 steps) keeps 11 benchmarks x 2 sides x 2 rounds to ~8 minutes on 2 cores.
    parser.add_argument("--seconds", type=float, default=1.5)
    parser.add_argument("--only", default="")
    # Interleaved rounds, best median per side: a burst of load from elsewhere hits one process, not a whole column.
    parser.add_argument("--rounds", type=int, default=2)
    # The published networks take tens of seconds a step on 2 cores: `--seconds 0 --min-steps 2` times two steps after one warm-up.
    parser.add_argument("--min-steps", type=int, default=5)
    parser.add_argument("--write-md", action="store_true", help="rewrite the results table in BENCHMARKS.md")
    args = parser.parse_args()
    threads = int(os.environ.get("WORKBENCH_NUM_THREADS", os.cpu_count() or 1))
    env = dict(os.environ, WORKBENCH_NUM_THREADS=str(threads))
    names = subprocess.run(["dotnet", BENCH_DLL, "--list"], capture_output=True, text=True, check=True).stdout.split()
    if args.only:
        names = [n for n in names if n in args.only.split(",")]
    if "data_loader_jpeg" in names:
        bench_jpegs.ensure()  # before either side runs: both decode the same files, and making them is not timed
    if any(n in PUBLISHED for n in names):
        published_bench_weights.ensure()  # both sides load the same published-layout files
    rows = []
    for name in names:
        ours_runs, theirs_runs = [], []
        for _ in range(max(1, args.rounds)):
            steps = ["--seconds", str(args.seconds), "--min-steps", str(args.min_steps)]
            ours_runs.append(run(["dotnet", BENCH_DLL, name, *steps], env))
            theirs_runs.append(run(["/usr/bin/python3", os.path.join(ROOT, "bench", "pytorch_bench.py"), name, *steps, "--threads", str(threads)], env))
        ours = min(ours_runs, key=lambda r: r["median_ms"])
        theirs = min(theirs_runs, key=lambda r: r["median_ms"])
        ratio = ours["median_ms"] / theirs["median_ms"]
        rows.append((ours, theirs, ratio))
        print(f"{name:24s} workbench {ours['median_ms']:9.3f} ms  pytorch {theirs['median_ms']:9.3f} ms  ratio {ratio:5.2f}x"
              f"  rss {ours['peak_rss_mb']:.0f}/{theirs['peak_rss_mb']:.0f} MB", flush=True)
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    machine = f"{cpu_model()}, {os.cpu_count()} cores, {threads} threads"
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "latest.json"), "w") as f:
        json.dump({"date": stamp, "machine": machine, "results": [{"workbench": o, "pytorch": t, "ratio": r} for o, t, r in rows]}, f, indent=1)
    table = render(rows, stamp, machine)
    print(table)
    if args.write_md:
        write_md(table)


def fmt(v, spec):
    return "" if v is None else format(v, spec)


def render(rows, stamp, machine):
    lines = [f"Run {stamp} on {machine}; libtorch 1.13.1 (Debian) on both sides; best median of interleaved rounds per side.", "",
             "| benchmark | what one step does | Workbench ms | PyTorch ms | ratio | Workbench GFLOP/s | PyTorch GFLOP/s | items/s (WB / PT) | peak RSS MB (WB / PT) |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for o, t, r in rows:
        items = f"{o['items_per_s']:.1f} / {t['items_per_s']:.1f}" if o["items_per_s"] and t["items_per_s"] else ""
        lines.append(f"| {o['name']} | {o['description']} | {o['median_ms']:.3f} | {t['median_ms']:.3f} | {r:.2f}x | "
                     f"{fmt(o['gflops'], '.1f')} | {fmt(t['gflops'], '.1f')} | {items} | {o['peak_rss_mb']:.0f} / {t['peak_rss_mb']:.0f} |")
    lines += ["", peak_line(rows)]
    return "\n".join(lines)


def peak_line(rows):
    """Each benchmark's GFLOP/s as a share of the machine's matmul peak measured in the same run (issue #7)."""
    matmul = [(o, t) for o, t, _ in rows if o["name"] == "matmul_2048"]
    if not matmul:
        return "No % of matmul peak: matmul_2048 was not part of this run."
    # Both sides run the same BLAS kernel; the faster of the two is the better estimate of the machine's peak.
    peak = max(matmul[0][0]["gflops"], matmul[0][1]["gflops"])
    shares = [f"{o['name']} {100 * o['gflops'] / peak:.0f}% / {100 * t['gflops'] / peak:.0f}%"
              for o, t, _ in rows if o["gflops"] and t["gflops"] and o["name"] != "matmul_2048"]
    return (f"GFLOP/s as % of the measured matmul peak ({peak:.1f} GFLOP/s, the faster side of matmul_2048), Workbench / PyTorch: "
            + ("; ".join(shares) if shares else "no benchmark with a FLOP count in this run") + ".")


def write_md(table):
    path = os.path.join(ROOT, "BENCHMARKS.md")
    begin, end = "<!-- results:begin -->", "<!-- results:end -->"
    text = open(path).read()
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    with open(path, "w") as f:
        f.write(head + begin + "\n" + table + "\n" + end + tail)


if __name__ == "__main__":
    sys.exit(main())
