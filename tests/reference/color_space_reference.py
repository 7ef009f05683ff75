"""skimage.color conversions for Workbench's ColorSpace tests.

usage: color_space_reference.py OUTDIR

Writes float32 inputs (3 x H x W, little-endian) and float64 expected outputs (3 x H x W) as raw .bin
files, and OUTDIR/index.json naming them with their shapes:
  rgb.bin     : a photo crop next to random colours and the 0/1 corners of the RGB cube
  yuv.bin, ycbcr.bin, lab.bin : skimage.color.rgb2yuv / rgb2ycbcr / rgb2lab of rgb
  lab_in.bin  : random Lab values, some outside the sRGB gamut (and some with Z < 0)
  lab_rgb.bin : skimage.color.lab2rgb of lab_in (clipped to [0, 1])
"""
import json
import os
import sys
import warnings

import numpy as np
from skimage import color, data


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(11)
    photo = data.chelsea()[60:92, 120:152].astype(np.float32) / 255.0  # 32 x 32
    noise = rng.random((32, 32, 3), dtype=np.float32)
    noise[0, :8] = np.array([[i >> 2 & 1, i >> 1 & 1, i & 1] for i in range(8)], np.float32)  # cube corners
    noise[1, :4] = [[0.04045, 0.04, 0.05], [0.001, 0.002, 0.003], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0]]
    rgb = np.concatenate([photo, noise], axis=1)  # 32 x 64 x 3

    lab_in = np.stack([rng.uniform(0, 100, (16, 16)), rng.uniform(-90, 90, (16, 16)), rng.uniform(-110, 110, (16, 16))], -1).astype(np.float32)
    rgb64 = rgb.astype(np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lab2rgb warns about the pixels with Z < 0 it clips
        lab_rgb = color.lab2rgb(lab_in.astype(np.float64))

    arrays = {
        "rgb": rgb,
        "yuv": color.rgb2yuv(rgb64),
        "ycbcr": color.rgb2ycbcr(rgb64),
        "lab": color.rgb2lab(rgb64),
        "lab_in": lab_in,
        "lab_rgb": lab_rgb,
    }
    index = {}
    for name, arr in arrays.items():
        chw = np.ascontiguousarray(arr.transpose(2, 0, 1))
        dtype = "<f4" if arr.dtype == np.float32 else "<f8"
        chw.astype(dtype).tofile(os.path.join(out, name + ".bin"))
        index[name] = {"shape": list(chw.shape), "dtype": "float32" if dtype == "<f4" else "float64"}
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(index, f, indent=1)


if __name__ == "__main__":
    main()
