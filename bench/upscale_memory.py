"""One-off measurement of `workbench upscale` on a large photo: peak RSS and wall time (not part of run_all.py).

Usage: /usr/bin/python3 bench/upscale_memory.py [--size 4000x3000] [--scale 2] [--channels 64] [--tile 256] [--overlap 16] [--output png]
Builds a test photo (skimage's astronaut, bicubic-resized to SIZE, JPEG) and a randomly initialised ESPCN weights
file with architecture metadata (the weights do not matter for memory or time), runs the CLI once and prints the
child process's peak resident set size. Needs `./run.sh build` first.
"""
import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = os.path.join(ROOT, "src", "Workbench.Cli", "bin", "Release", "net10.0", "workbench-cli.dll")
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="4000x3000")
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--channels", type=int, default=64)
    parser.add_argument("--tile", type=int, default=256)
    parser.add_argument("--overlap", type=int, default=16)
    parser.add_argument("--output", default="png", choices=["png", "jpg"])
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    import skimage.data
    import torch
    from PIL import Image
    from safetensors_io import save
    from sr_reference import GeneratorESPCN

    with tempfile.TemporaryDirectory() as tmp:
        photo = os.path.join(tmp, "photo.jpg")
        Image.fromarray(skimage.data.astronaut()).resize((width, height), Image.BICUBIC).save(photo, quality=92)
        weights = os.path.join(tmp, "espcn.safetensors")
        torch.manual_seed(0)
        save(weights, GeneratorESPCN(args.channels, args.scale).state_dict(),
             metadata={"arch": "espcn", "scale": args.scale, "channels": args.channels})
        out = os.path.join(tmp, "out." + args.output)
        start = time.monotonic()
        subprocess.run(["dotnet", CLI, "upscale", photo, out, "--model", weights, "--tile", str(args.tile), "--overlap", str(args.overlap)], check=True)
        elapsed = time.monotonic() - start
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"ESPCN x{args.scale} ({args.channels} ch) on {width}x{height} -> {width * args.scale}x{height * args.scale} {args.output}: "
              f"peak RSS {peak_mb:.0f} MB, wall {elapsed:.1f} s, threads {os.environ.get('WORKBENCH_NUM_THREADS', os.cpu_count())}")


if __name__ == "__main__":
    main()
