"""The published-layout weight files the published-model benchmarks load (the C# side and its PyTorch twin load the same files).

Usage: /usr/bin/python3 bench/published_bench_weights.py    prints the folder, creating it first when missing.
Random weights in the layouts upstream publishes, written by the parity-tested twins in tests/reference:
  deoldify-stable.pth    ColorizeStable_gen.pth's layout (fastai Learner file, legacy format; ~870 MB)
  deoldify-artistic.pth  ColorizeArtistic_gen.pth's layout (~255 MB)
  zhang-eccv16.pth       colorization_release_v2's bare state_dict
  rrdbnet-x4-23b.pth     RealESRGAN_x4plus.pth's layout ({'params_ema': ...}; 64 features, 23 blocks, growth 32)
  srvgg-compact-x4.pth   realesr-general-x4v3.pth's layout ({'params': ...}; 64 features, 32 convs, PReLU)
Built once into a temporary folder and renamed into place, so a folder that exists is complete. The C# side finds it at
the same path (TMPDIR or /tmp, then FOLDER_NAME). Shared files keep both sides on the same numbers, denormals included.
"""
import os
import shutil
import sys
import tempfile

import torch
import torch.nn as nn

FOLDER_NAME = "workbench-bench-published-v1"
REFERENCE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "reference")


def folder():
    return os.path.join(tempfile.gettempdir(), FOLDER_NAME)


def reference(name):
    """Imports tests/reference/NAME.py; those scripts pin torch's thread count at import, so the caller's is restored."""
    if REFERENCE_DIR not in sys.path:
        sys.path.insert(0, REFERENCE_DIR)
    threads = torch.get_num_threads()
    try:
        return __import__(name)
    finally:
        torch.set_num_threads(threads)


def deoldify(kind):
    """The twin of gen_inference_wide (stable) or gen_inference_deep (artistic), untrained (load a file into it)."""
    d = reference("deoldify_reference")
    if kind == "stable":
        return d.dynamic_unet(d.resnet_body(d.Bottleneck, [3, 4, 23, 3]), wide=True, nf_factor=2)
    return d.dynamic_unet(d.resnet_body(d.BasicBlock, [3, 4, 6, 3]), wide=False, nf_factor=1.5)


def eccv16():
    return reference("zhang_published_reference").ECCVGenerator()


def rrdbnet_x4():
    return reference("sr_reference").RRDBNet(3, 3, 4, num_feat=64, num_block=23, num_grow_ch=32)


def srvgg_compact_x4():
    return reference("published_sr_compact").SRVGGNetCompact(3, 3, num_feat=64, num_conv=32, upscale=4, act_type="prelu")


def write(target):
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(0)
    d = reference("deoldify_reference")
    for kind in ("stable", "artistic"):
        net = deoldify(kind)
        d.randomize(net, g)  # BatchNorm statistics, converged spectral-norm vectors, attention gamma non-zero
        torch.save({"model": net.state_dict(), "opt": None}, os.path.join(target, f"deoldify-{kind}.pth"), _use_new_zipfile_serialization=False)
        del net
    z = reference("zhang_published_reference")
    torch.save(z.randomise(eccv16(), (z.smooth_l(2, 64, 64),)).state_dict(), os.path.join(target, "zhang-eccv16.pth"))
    rrdb = rrdbnet_x4()
    with torch.no_grad():  # BasicSR's default_init_weights(..., 0.1) in the dense blocks
        for name, m in rrdb.named_modules():
            if ".rdb" in name and isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight).mul_(0.1)
                m.bias.zero_()
    torch.save({"params_ema": rrdb.state_dict()}, os.path.join(target, "rrdbnet-x4-23b.pth"))
    torch.save({"params": srvgg_compact_x4().state_dict()}, os.path.join(target, "srvgg-compact-x4.pth"))


def ensure():
    target = folder()
    if os.path.isdir(target):
        return target
    partial = tempfile.mkdtemp(prefix=FOLDER_NAME + ".partial-", dir=os.path.dirname(target))
    try:
        write(partial)
        os.rename(partial, target)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        if not os.path.isdir(target):  # another process may have won the rename
            raise
    return target


def load(net, name, key=None):
    """NET with the state_dict of FOLDER/NAME (under KEY when the file wraps it), in eval mode."""
    state = torch.load(os.path.join(ensure(), name), map_location="cpu")
    net.load_state_dict(state[key] if key else state)
    del state
    return net.eval()


if __name__ == "__main__":
    print(ensure())
