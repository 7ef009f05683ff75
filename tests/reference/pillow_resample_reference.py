"""Pillow's 8-bit resizes for the C# PillowResample tests (Pillow 9.4, Debian's python3-pil).

Usage: pillow_resample_reference.py OUTDIR. Writes OUTDIR/pillow_resample.safetensors:
  x                          a noisy RGB image (3, 37, 53) as uint8 levels
  FILTER/HxW                 Image.resize((W, H), FILTER) of it, uint8 levels (3, H, W)
for FILTER in bilinear, bicubic and sizes that shrink, grow, do both, and keep one side (a pass Pillow skips).
"""
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

SIZES = [(16, 20), (61, 90), (64, 64), (37, 20), (80, 53)]


def main(outdir):
    gen = np.random.default_rng(7)
    yy, xx = np.mgrid[0:37, 0:53]
    base = np.stack([128 + 100 * np.sin(xx / 5), 128 + 90 * np.cos(yy / 4), (xx * yy) % 256], -1)
    rgb = (base + gen.normal(0, 12, base.shape)).clip(0, 255).round().astype(np.uint8)
    image = Image.fromarray(rgb)
    out = {"x": torch.from_numpy(rgb.transpose(2, 0, 1).copy())}
    for name, resample in [("bilinear", Image.BILINEAR), ("bicubic", Image.BICUBIC)]:
        for h, w in SIZES:
            out[f"{name}/{h}x{w}"] = torch.from_numpy(np.asarray(image.resize((w, h), resample=resample)).transpose(2, 0, 1).copy())
    save(os.path.join(outdir, "pillow_resample.safetensors"), out)


if __name__ == "__main__":
    main(sys.argv[1])
