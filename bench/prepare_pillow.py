"""The Pillow twin of `workbench prepare`: the seed notes' single-threaded crop cutter, same recipe and settings.

Usage: /usr/bin/python3 bench/prepare_pillow.py INPUT OUTPUT [--size 256] [--crops-per-scale 4] [--max-scales 8]
           [--seed 0] [--png-level 6] [--png-strategy rle|default]
Every image under INPUT (recursively) is opened, EXIF-transposed and converted to RGB; at scales 1, 1/2, 1/4 ...
(box/area resampling from the full image, sizes rounded down) while both sides are >= SIZE, it cuts
--crops-per-scale random SIZExSIZE crops and saves them as PNG, 1000 per numbered folder (12/12678.png).
Unreadable files are counted and skipped. Prints one JSON line: crops, seconds, crops_per_second, bad.
"""
import argparse
import json
import os
import random
import sys
import time

from PIL import Image, ImageOps

EXTENSIONS = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"}
STRATEGIES = {"default": None, "filtered": 1, "huffman": 2, "rle": 3, "fixed": 4}  # zlib Z_* constants


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--crops-per-scale", type=int, default=4)
    parser.add_argument("--max-scales", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--png-level", type=int, default=6)
    parser.add_argument("--png-strategy", choices=sorted(STRATEGIES), default="rle")
    args = parser.parse_args()

    save_options = {"compress_level": args.png_level}
    if STRATEGIES[args.png_strategy] is not None:
        save_options["compress_type"] = STRATEGIES[args.png_strategy]
    files = sorted(
        os.path.join(d, f) for d, _, names in os.walk(args.input) for f in names if os.path.splitext(f)[1].lower() in EXTENSIONS)
    n = args.size
    number = bad = 0
    start = time.perf_counter()
    for path in files:
        try:
            image = Image.open(path)
            image = ImageOps.exif_transpose(image).convert("RGB")
        except Exception as e:  # noqa: BLE001 - a bad photo is reported and skipped, as in the notes
            print(f"error {e} for {path}", file=sys.stderr)
            bad += 1
            continue
        rng = random.Random(f"{args.seed}:{os.path.relpath(path, args.input)}")
        w, h = image.size
        for scale in range(args.max_scales):
            sw, sh = w >> scale, h >> scale
            if sw < n or sh < n:
                break
            scaled = image if scale == 0 else image.resize((sw, sh), Image.BOX)
            for _ in range(args.crops_per_scale):
                x, y = rng.randrange(sw - n + 1), rng.randrange(sh - n + 1)
                folder = os.path.join(args.output, str(number // 1000))
                os.makedirs(folder, exist_ok=True)
                scaled.crop((x, y, x + n, y + n)).save(os.path.join(folder, f"{number}.png"), **save_options)
                number += 1
    seconds = time.perf_counter() - start
    print(json.dumps({"crops": number, "seconds": seconds, "crops_per_second": number / seconds if seconds else 0.0, "bad": bad}))


if __name__ == "__main__":
    main()
