"""Crops per second of `workbench prepare` (parallel, C#/OpenCV) vs its single-threaded Pillow twin, on one input.

Usage: /usr/bin/python3 bench/prepare_bench.py [--photos 32] [--size 256] [--crops-per-scale 8] [--keep DIR]
Builds the input once: 2048x1536 JPEG mosaics of the real photos Debian packages ship (skimage, sklearn,
opencv-doc), so decoding, three scales and PNG encoding see camera-sized, photographic content. Then runs
  1. workbench prepare (all cores, zlib level 6 + RLE strategy, its defaults),
  2. bench/prepare_pillow.py with the same zlib settings (level 6, compress_type=RLE),
  3. bench/prepare_pillow.py with Pillow's default PNG settings (level 6, default strategy; what the notes' script did),
each into a fresh output folder, and prints crops/s (as each tool times its own work, without process start), the
CPU seconds each process used (crops per CPU second does not depend on what else the machine runs) and the ratios.
Run `./run.sh build` first.
"""
import argparse
import glob
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "src", "Workbench.Cli", "bin", "Release", "net10.0", "workbench-cli.dll")
PHOTOS = [
    "/usr/lib/python3/dist-packages/skimage/data/" + n for n in ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png")
] + [
    "/usr/lib/python3/dist-packages/sklearn/datasets/images/" + n for n in ("china.jpg", "flower.jpg")
] + [
    "/usr/share/doc/opencv-doc/examples/data/" + n for n in (
        "baboon.jpg", "building.jpg", "fruits.jpg", "squirrel_cls.jpg", "leuvenA.jpg", "home.jpg", "butterfly.jpg",
        "aero3.jpg", "messi5.jpg", "aloeL.jpg", "apple.jpg", "board.jpg", "rubberwhale1.png")
]


def make_input(folder, count, seed=0):
    """Mosaics of randomly ordered photos, each 2048x1536 (a 3 MP camera frame), saved as JPEG quality 92."""
    photos = [Image.open(p).convert("RGB") for p in PHOTOS if os.path.exists(p)]
    if not photos:
        sys.exit("no Debian photos found: install python3-skimage, python3-sklearn, opencv-doc (./run.sh setup)")
    rng = random.Random(seed)
    os.makedirs(folder, exist_ok=True)
    for i in range(count):
        mosaic = Image.new("RGB", (2048, 1536))
        x = y = row = 0
        while y < 1536:
            photo = rng.choice(photos)
            mosaic.paste(photo, (x, y))
            row = max(row, photo.height)
            x += photo.width
            if x >= 2048:
                x, y, row = 0, y + row, 0
        mosaic.save(os.path.join(folder, f"mosaic{i:03d}.jpg"), quality=92)


def run_json(cmd):
    """Runs a tool; returns its JSON summary and the CPU seconds (user + system) the process used."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({out.returncode}):\n{out.stderr}\n{out.stdout}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return json.loads(out.stdout.strip().splitlines()[-1]), cpu


def folder_mb(folder):
    return sum(os.path.getsize(f) for f in glob.glob(os.path.join(folder, "*", "*.png"))) / 2**20


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=32)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--crops-per-scale", type=int, default=8)
    parser.add_argument("--keep", help="build the input and outputs here and keep them")
    args = parser.parse_args()
    if not os.path.exists(CLI):
        sys.exit(f"{CLI} not found: run ./run.sh build first")

    work = args.keep or tempfile.mkdtemp(prefix="wb-prepare-bench-")
    try:
        source = os.path.join(work, "input")
        if not os.path.isdir(source):
            make_input(source, args.photos)
        common = ["--size", str(args.size), "--crops-per-scale", str(args.crops_per_scale), "--png-level", "6"]
        results = []
        for name, cmd, out in [
            (f"workbench prepare ({os.cpu_count()} threads)", ["dotnet", CLI, "prepare", source, None, "--json", "--png-strategy", "rle", *common], "cs"),
            ("Pillow, same zlib settings (1 thread)", [sys.executable, os.path.join(ROOT, "bench", "prepare_pillow.py"), source, None, "--png-strategy", "rle", *common], "pil"),
            ("Pillow, default PNG settings (1 thread)", [sys.executable, os.path.join(ROOT, "bench", "prepare_pillow.py"), source, None, "--png-strategy", "default", *common], "pil_default"),
        ]:
            target = os.path.join(work, out)
            shutil.rmtree(target, ignore_errors=True)
            cmd[cmd.index(None)] = target
            r, cpu = run_json(cmd)
            crops = r.get("crops_written", r.get("crops"))
            results.append((name, crops, r.get("seconds"), r.get("crops_per_second"), cpu, folder_mb(target)))

        with open("/proc/loadavg") as f:
            load = f.read().split()[:3]
        print(f"input: {args.photos} JPEG mosaics 2048x1536, crops {args.size}x{args.size}, {args.crops_per_scale} per scale; "
              f"{os.cpu_count()} CPUs, load average {' '.join(load)}")
        print(f"{'':42s} {'crops':>6s} {'seconds':>8s} {'crops/s':>8s} {'CPU s':>7s} {'crops/CPU s':>11s} {'MB':>7s}")
        for name, crops, seconds, rate, cpu, mb in results:
            print(f"{name:42s} {crops:6d} {seconds:8.2f} {rate:8.1f} {cpu:7.2f} {crops / cpu:11.1f} {mb:7.1f}")
        if len({r[1] for r in results}) != 1:
            print("warning: the tools wrote different numbers of crops")
        cs = results[0][3]
        print(f"ratio vs Pillow with the same zlib settings: {cs / results[1][3]:.2f}x")
        print(f"ratio vs Pillow with its default PNG settings: {cs / results[2][3]:.2f}x")
        per_cpu = [r[1] / r[4] for r in results]
        print(f"per CPU second (whole process, start-up included; independent of other load): "
              f"{per_cpu[0] / per_cpu[1]:.2f}x and {per_cpu[0] / per_cpu[2]:.2f}x")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
