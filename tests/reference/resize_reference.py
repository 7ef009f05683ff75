"""Resizing references for the C# ImageResize tests: PyTorch's F.interpolate (same libtorch 1.13) and Pillow.

Usage: resize_reference.py OUTDIR. Writes OUTDIR/resize.safetensors with the input "x" (2x3x37x53 float32)
and one output per case; Pillow cases resample each plane as a mode "F" (float32) image; "area_down" is
computed here by exact pixel coverage.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

DOWN, UP = (16, 20), (61, 90)


def pillow_planes(x, size, resample):
    """Resamples every HxW plane of an NCHW tensor with Pillow in float32 ("F" images)."""
    h, w = size
    out = torch.empty(x.shape[0], x.shape[1], h, w)
    for n in range(x.shape[0]):
        for c in range(x.shape[1]):
            plane = Image.fromarray(x[n, c].numpy().astype(np.float32), mode="F")
            out[n, c] = torch.from_numpy(np.array(plane.resize((w, h), resample=resample)))
    return out


def coverage(n_in, n_out):
    """(n_out, n_in) matrix: how much of input pixel [k, k+1) output pixel i's window [i s, (i+1) s) covers, / s."""
    s = n_in / n_out
    lo = np.arange(n_out)[:, None] * s
    k = np.arange(n_in)[None, :]
    overlap = np.clip(np.minimum(lo + s, k + 1) - np.maximum(lo, k), 0, None)
    return torch.from_numpy(overlap / s)


def exact_area(x, size):
    """Area averaging by exact fractional coverage (what OpenCV's INTER_AREA computes when downscaling)."""
    wy, wx = coverage(x.shape[2], size[0]), coverage(x.shape[3], size[1])
    return torch.einsum("yh,nchw,xw->ncyx", wy, x.double(), wx).float()


def srgb_to_linear(v):
    return torch.where(v > 0.04045, ((v + 0.055) / 1.055).clamp(min=0) ** 2.4, v / 12.92)


def linear_to_srgb(v):
    return torch.where(v > 0.0031308, 1.055 * v.clamp(min=0) ** (1 / 2.4) - 0.055, v * 12.92)


def main(out):
    torch.manual_seed(0)
    # Smooth structure plus pixel noise, in [0, 1].
    x = F.interpolate(torch.rand(2, 3, 8, 10), size=(37, 53), mode="bilinear", align_corners=False)
    x = (0.8 * x + 0.2 * torch.rand(2, 3, 37, 53)).contiguous()
    r = {"x": x}
    for mode in ("bilinear", "bicubic"):
        for aa in (True, False):
            tag = "_aa" if aa else ""
            r[f"{mode}{tag}_down"] = F.interpolate(x, size=DOWN, mode=mode, antialias=aa, align_corners=False)
            r[f"{mode}{tag}_up"] = F.interpolate(x, size=UP, mode=mode, antialias=aa, align_corners=False)
    r["nearest_down"] = F.interpolate(x, size=DOWN, mode="nearest-exact")
    r["nearest_up"] = F.interpolate(x, size=UP, mode="nearest-exact")
    # Pillow's BOX weighs whole pixels by whether their centre falls in the window, so it is not exact area.
    r["area_down"] = exact_area(x, DOWN)
    r["bicubic_down_pillow"] = pillow_planes(x, DOWN, Image.Resampling.BICUBIC)
    r["bilinear_down_pillow"] = pillow_planes(x, DOWN, Image.Resampling.BILINEAR)
    r["nearest_down_pillow"] = pillow_planes(x, DOWN, Image.Resampling.NEAREST)
    r["downscale2x"] = F.avg_pool2d(x, 2)
    lin = F.interpolate(srgb_to_linear(x), size=DOWN, mode="bicubic", antialias=True, align_corners=False)
    r["bicubic_aa_down_linear"] = linear_to_srgb(lin.clamp(min=0))
    r["downscale2x_linear"] = linear_to_srgb(F.avg_pool2d(srgb_to_linear(x), 2))

    # 8-bit RGB through Pillow's own integer pipeline, as the seed notes resized photos.
    u8 = (x[0] * 255).round().to(torch.uint8)
    img = Image.fromarray(u8.permute(1, 2, 0).numpy(), mode="RGB")
    r["u8_in"] = u8.float() / 255
    for name, resample in (("bicubic", Image.Resampling.BICUBIC), ("bilinear", Image.Resampling.BILINEAR)):
        small = np.asarray(img.resize((DOWN[1], DOWN[0]), resample=resample))
        r[f"u8_{name}_pillow"] = torch.from_numpy(small.copy()).permute(2, 0, 1).float() / 255
    safetensors_io.save(os.path.join(out, "resize.safetensors"), {k: v.contiguous() for k, v in r.items()})


if __name__ == "__main__":
    main(sys.argv[1])
