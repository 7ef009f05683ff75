"""The SR notes' GeneratorESPCN, as the notes print it, for the test that its weights load into Workbench's ESPCN
and back (tests/Workbench.Tests/Models/EspcnNotesLayoutTests.cs).

usage: /usr/bin/python3 espcn_notes_reference.py OUTDIR            writes OUTDIR/notes-espcn.safetensors (its
           state_dict, keys layers.0/2/4, no metadata) and OUTDIR/io.safetensors (an input x and the output y)
       /usr/bin/python3 espcn_notes_reference.py OUTDIR run WEIGHTS INPUT
           loads WEIGHTS (keys layers.N.*) strictly into a GeneratorESPCN of the channel count and scale the shapes
           say, runs it on INPUT's x and writes OUTDIR/io.safetensors with y

The printed listing keeps all three convs in `layers` and its forward returns `self.layers(x)`, the 3·r² sub-pixel
channels; the PixelShuffle that makes the image (the paper's last step, and the notes' text) has no weights, so it is
applied here after the module and the state_dict keys are exactly the notes'.
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import load, save  # noqa: E402

torch.set_num_threads(1)


class GeneratorESPCN(nn.Module):
    def __init__(self, channels: int, upscale: int):
        super(GeneratorESPCN, self).__init__()

        self.layers = nn.Sequential(
            nn.Conv2d(3, channels, kernel_size=5, padding='same'),
            nn.LeakyReLU(0.1),
            nn.Conv2d(channels, channels, kernel_size=3, padding='same'),
            nn.LeakyReLU(0.1),
            nn.Conv2d(channels, 3 * upscale ** 2, kernel_size=3, padding='same'),
        )

    def forward(self, x: torch.Tensor):
        return self.layers(x)


def upscale(model, x, r):
    with torch.no_grad():
        return F.pixel_shuffle(model(x), r)


def main():
    out = sys.argv[1]
    if len(sys.argv) > 2 and sys.argv[2] == "run":
        weights, x = load(sys.argv[3]), load(sys.argv[4])["x"]
        channels = weights["layers.0.weight"].shape[0]
        r = math.isqrt(weights["layers.4.weight"].shape[0] // 3)
        model = GeneratorESPCN(channels, r)
        model.load_state_dict(weights, strict=True)
        save(os.path.join(out, "io.safetensors"), {"x": x, "y": upscale(model.eval(), x, r)})
        return
    torch.manual_seed(13)
    model = GeneratorESPCN(channels=24, upscale=3).eval()
    x = torch.rand(1, 3, 11, 9)
    save(os.path.join(out, "notes-espcn.safetensors"), model.state_dict())
    save(os.path.join(out, "io.safetensors"), {"x": x, "y": upscale(model, x, 3)})


if __name__ == "__main__":
    main()
