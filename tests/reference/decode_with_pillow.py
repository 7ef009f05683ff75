"""Decodes every image in a folder with Pillow, to check files that the C# ImageIO wrote.

Usage: decode_with_pillow.py OUTDIR INDIR. Writes OUTDIR/decoded.safetensors: per file name, float32 CHW in
[0, 1] after exif_transpose; 16-bit gray ("I" or "I;16") as value / 65535, RGBA/LA/P-with-transparency as RGBA,
gray as 1 channel, everything else as RGB. Also "<file>|mode" holds Pillow's mode as bytes, for the messages.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageOps

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402


def decode(path):
    im = Image.open(path)
    im.load()
    mode = im.mode
    if mode == "I" or mode.startswith("I;16"):  # Pillow opens 16-bit gray PNGs as "I"
        a = np.asarray(im, dtype=np.float64) / 65535.0
    elif mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info):
        a = np.asarray(im.convert("RGBA"), dtype=np.float64) / 255.0
    elif mode == "L":
        a = np.asarray(im, dtype=np.float64) / 255.0
    else:
        a = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), dtype=np.float64) / 255.0
    if a.ndim == 2:
        a = a[:, :, None]
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))).float(), mode


def main(out, folder):
    result = {}
    for name in sorted(os.listdir(folder)):
        t, mode = decode(os.path.join(folder, name))
        result[name] = t
        result[name + "|mode"] = torch.tensor(list(mode.encode()), dtype=torch.uint8)
    safetensors_io.save(os.path.join(out, "decoded.safetensors"), result)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
