"""Expected PSNR, SSIM, colorfulness and Lab errors from skimage for Workbench's Metrics tests.

usage: image_metrics_reference.py OUTDIR

Writes OUTDIR/target.bin and OUTDIR/prediction.bin (float32, N x 3 x H x W, little-endian) and
OUTDIR/expected.json with, per image pair i, the values computed here with skimage.metrics /
skimage.color in float64 on exactly those float32 pixels.
"""
import json
import os
import sys

import numpy as np
from scipy import ndimage
from skimage import color, data
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

CROP = 4


def ssim(a, b, data_range, channel_axis):
    return structural_similarity(a, b, data_range=data_range, channel_axis=channel_axis, gaussian_weights=True,
                                 sigma=1.5, use_sample_covariance=False)


def crop(img, c):
    return img[c:-c, c:-c] if c else img


def colorfulness(rgb):
    r, g, b = (rgb[..., k] * 255.0 for k in range(3))
    rg, yb = r - g, 0.5 * (r + g) - b
    return float(np.sqrt(rg.std() ** 2 + yb.std() ** 2) + 0.3 * np.sqrt(rg.mean() ** 2 + yb.mean() ** 2))


def main():
    out = sys.argv[1]
    rng = np.random.default_rng(2024)
    target = data.astronaut()[100:148, 180:244].astype(np.float32) / 255.0  # 48 x 64, HWC
    noisy = np.clip(target + rng.normal(0, 0.05, target.shape), 0, 1).astype(np.float32)
    blurred = ndimage.uniform_filter(target, size=(3, 3, 1)).astype(np.float32)
    # A colour shift: what a colorizer gets wrong while keeping the structure.
    shifted = np.clip(target * np.array([1.1, 0.95, 0.8], np.float32) + np.array([0.0, 0.02, 0.05], np.float32), 0, 1).astype(np.float32)
    predictions = [noisy, blurred, shifted]
    targets = [target] * len(predictions)

    expected = []
    for p, t in zip(predictions, targets):
        p64, t64 = p.astype(np.float64), t.astype(np.float64)
        py, ty = color.rgb2ycbcr(p64)[..., 0], color.rgb2ycbcr(t64)[..., 0]
        lab_p, lab_t = color.rgb2lab(p64), color.rgb2lab(t64)
        expected.append({
            "psnr": peak_signal_noise_ratio(t64, p64, data_range=1.0),
            "psnr_crop": peak_signal_noise_ratio(crop(t64, CROP), crop(p64, CROP), data_range=1.0),
            "psnr_y_crop": peak_signal_noise_ratio(crop(ty, CROP), crop(py, CROP), data_range=255.0),
            "ssim": ssim(t64, p64, 1.0, -1),
            "ssim_crop": ssim(crop(t64, CROP), crop(p64, CROP), 1.0, -1),
            "ssim_y_crop": ssim(crop(ty, CROP), crop(py, CROP), 255.0, None),
            "colorfulness": colorfulness(p64),
            "chroma": float(np.sqrt(((lab_p[..., 1:] - lab_t[..., 1:]) ** 2).sum(-1)).mean()),
            "delta_e76": float(color.deltaE_cie76(lab_t, lab_p).mean()),
            # Zhang et al. (2016)'s accuracy at one threshold: the share of pixels with a*b* error under 10.
            "ab_accuracy_10": float((np.sqrt(((lab_p[..., 1:] - lab_t[..., 1:]) ** 2).sum(-1)) < 10).mean()),
        })

    def save(name, images):
        chw = np.stack([im.transpose(2, 0, 1) for im in images]).astype("<f4")
        chw.tofile(os.path.join(out, name))
        return list(chw.shape)

    shape = save("prediction.bin", predictions)
    save("target.bin", targets)
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"shape": shape, "crop": CROP, "pairs": expected}, f, indent=1)


if __name__ == "__main__":
    main()
