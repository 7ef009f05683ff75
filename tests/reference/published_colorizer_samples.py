"""Random-weight stand-ins for published colorizer files, for notebooks/PublishedColorizers.ipynb's smoke mode only.

Usage: /usr/bin/python3 published_colorizer_samples.py OUTDIR. Writes
  OUTDIR/ColorizeArtistic_gen.pth               DeOldify's artistic layout (deoldify_reference.py's twin, randomized as there)
  OUTDIR/colorization_release_v2-9b330a0b.pth   Zhang et al.'s eccv16 layout (zhang_published_reference.py's twin)
  OUTDIR/RANDOM_WEIGHTS.txt                     says what these are
The names are upstream's so the notebook finds them as it finds a user's files; the weights are random, so what they
paint is noise from an untrained network, never a colorization. The stable generator (~870 MB) is left out for speed.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import deoldify_reference as deoldify  # noqa: E402
import zhang_published_reference as zhang  # noqa: E402


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    artistic = deoldify.dynamic_unet(deoldify.resnet_body(deoldify.BasicBlock, [3, 4, 6, 3]), wide=False, nf_factor=1.5)
    deoldify.randomize(artistic, g)
    torch.save({"model": artistic.state_dict(), "opt": None}, os.path.join(outdir, "ColorizeArtistic_gen.pth"), _use_new_zipfile_serialization=False)
    eccv = zhang.randomise(zhang.ECCVGenerator(), (zhang.smooth_l(2, 64, 64),))
    torch.save(eccv.state_dict(), os.path.join(outdir, "colorization_release_v2-9b330a0b.pth"))
    with open(os.path.join(outdir, "RANDOM_WEIGHTS.txt"), "w") as f:
        f.write("Random weights in the published layouts (tests/reference/published_colorizer_samples.py): not trained, not real colorizers.\n")


if __name__ == "__main__":
    main(sys.argv[1])
