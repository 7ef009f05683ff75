"""Small super-resolution checkpoints laid out as the published ones are, with PyTorch's outputs on a fixed input.

Usage: /usr/bin/python3 published_sr_checkpoints.py OUTDIR. Writes
  OUTDIR/RealESRGAN_x4plus_tiny.pth   {'params': ..., 'params_ema': ...} as BasicSR saves (zip format); x4 RRDBNet
  OUTDIR/RealESRGAN_x2plus_tiny.pth   the same for the x2 RRDBNet (pixel unshuffle first: conv_first takes 12 channels)
  OUTDIR/espcn_notes_legacy.pth       the SR notes' authors' GeneratorESPCN (layers + pixel_shuffle) state_dict, legacy
                                      (pre-1.6) format, 'module.' prefixed
  OUTDIR/expected.safetensors         in (1, 3, 12, 16) and NAME/out: each model's output on it (from params_ema where both)
Upstream's loaders prefer params_ema; 'params' here holds other weights, so a reader that took it would not match.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402
from sr_reference import GeneratorESPCN, RRDBNet  # noqa: E402

torch.set_num_threads(1)


def main(outdir):
    torch.manual_seed(3)
    x = torch.rand(1, 3, 12, 16)
    expected = {"in": x}
    for name, scale in [("RealESRGAN_x4plus_tiny", 4), ("RealESRGAN_x2plus_tiny", 2)]:
        ema = RRDBNet(3, 3, scale=scale, num_feat=8, num_block=2, num_grow_ch=4).eval()
        plain = RRDBNet(3, 3, scale=scale, num_feat=8, num_block=2, num_grow_ch=4)
        torch.save({"params": plain.state_dict(), "params_ema": ema.state_dict()}, os.path.join(outdir, name + ".pth"))
        with torch.no_grad():
            expected[name + "/out"] = ema(x)
    notes = GeneratorESPCN(16, 3).eval()
    state = {"module." + k: v for k, v in notes.state_dict().items()}  # saved from nn.DataParallel
    torch.save(state, os.path.join(outdir, "espcn_notes_legacy.pth"), _use_new_zipfile_serialization=False)
    with torch.no_grad():
        expected["espcn_notes_legacy/out"] = notes(x)
    save(os.path.join(outdir, "expected.safetensors"), expected)


if __name__ == "__main__":
    main(sys.argv[1])
