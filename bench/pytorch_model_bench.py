"""PyTorch twins of bench/Workbench.Bench/ModelBenchmarks.cs: training steps and inference of the workbench's networks.

The networks are the parity-tested definitions in tests/reference (sr_reference.py, colorize_reference.py), imported
rather than rewritten, so a twin is the architecture the C# parity tests compare against. Each builder returns
(step, description, flops, items) like the ones in pytorch_bench.py.
"""
import importlib
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

REFERENCE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "reference")


def reference(module):
    """Imports tests/reference/MODULE.py; those scripts pin torch to one thread at import, so the caller's count is restored."""
    if REFERENCE_DIR not in sys.path:
        sys.path.insert(0, REFERENCE_DIR)
    threads = torch.get_num_threads()
    try:
        return importlib.import_module(module)
    finally:
        torch.set_num_threads(threads)


def conv_flops(model, x):
    """Forward FLOPs of the convolutions (2 per multiply-add, bias and everything else left out), counted on real shapes."""
    total = [0]

    def hook(m, inputs, out):
        kernel = m.weight.shape[2:].numel()
        if m.transposed:  # each input scattered to out/groups x kernel outputs
            total[0] += 2 * inputs[0].numel() * (m.out_channels // m.groups) * kernel
        else:  # each output gathered from in/groups x kernel inputs
            total[0] += 2 * out.numel() * (m.in_channels // m.groups) * kernel
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d))]
    handles = [m.register_forward_hook(hook) for m in convs]
    was_training = model.training
    model.eval()  # no BatchNorm statistics or spectral-norm iterations move while counting
    with torch.no_grad():
        model(x)
    model.train(was_training)
    for h in handles:
        h.remove()
    return total[0]


def train_step(model, x, target, loss_fn, description):
    """Forward, loss, zero_grad, backward, Adam step; FLOPs = 3x the forward conv FLOPs (backward ~ 2x forward)."""
    flops = 3 * conv_flops(model, x)
    model.train()
    opt = torch.optim.Adam(model.parameters(), lr=1e-4)

    def step():
        loss = loss_fn(model(x), target)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return step, description, flops, x.shape[0]


def infer(model, x, description):
    model.eval()
    flops = conv_flops(model, x)

    def step():
        with torch.no_grad():
            model(x)
    return step, description, flops, x.shape[0]


def espcn():
    return reference("sr_reference").GeneratorESPCN(64, 2)  # Workbench Espcn(scale: 2), default 64 channels


def rrdbnet():
    net = reference("sr_reference").RRDBNet(3, 3, 4, num_feat=32, num_block=3, num_grow_ch=32)
    # Workbench's RrdbNet initialises its dense blocks as ESRGAN does: Kaiming normal x 0.1, zero bias.
    with torch.no_grad():
        for name, m in net.named_modules():
            if ".rdb" in name and isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight).mul_(0.1)
                m.bias.zero_()
    return net


def unet_small():
    ref = reference("colorize_reference")
    # UnetSpec.Preset("small"): ResNet-18 encoder of base width 32, wide blocks, nf_factor 0.5, self-attention, blur, spectral norm.
    net = ref.DynamicUnet(ref.ResNet([2, 2, 2, 2], 0, width=32), blocks="wide", nf_factor=0.5)
    # Workbench initialises the shuffle convs with ICNR (one Kaiming kernel repeated per sub-pixel); the reference uses plain Kaiming.
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, ref.PixelShuffleICNR):
                w = m.conv[0].weight_orig
                sub = nn.init.kaiming_normal_(torch.empty(w.shape[0] // 4, *w.shape[1:]))
                w.copy_(sub.repeat_interleave(4, 0))
    return net


def discriminator():
    return reference("sr_reference").DiscriminatorDilationNetwork(32)


def espcn_x2_train():
    return train_step(espcn(), torch.rand(16, 3, 64, 64), torch.rand(16, 3, 128, 128), F.l1_loss,
                      "ESPCN x2 (64 ch) train step, batch 16 of 3x64x64, L1, Adam; GFLOP/s: 3x fwd conv FLOPs")


def rrdbnet_x4_train():
    return train_step(rrdbnet(), torch.rand(4, 3, 32, 32), torch.rand(4, 3, 128, 128), F.l1_loss,
                      "RRDBNet x4 (nf 32, 3 RRDB, grow 32) train step, batch 4 of 3x32x32, L1, Adam; GFLOP/s: 3x fwd conv FLOPs")


def unet_small_train():
    return train_step(unet_small(), torch.rand(4, 3, 64, 64), torch.rand(4, 3, 64, 64), F.l1_loss,
                      "U-Net 'small' (ResNet-18/32 wide) train step, batch 4 of 3x64x64, L1, Adam; GFLOP/s: 3x fwd conv FLOPs")


def disc_dilation_train():
    return train_step(discriminator(), torch.rand(8, 3, 64, 64), torch.ones(8, 1, 8, 8), F.binary_cross_entropy_with_logits,
                      "DiscriminatorDilationNetwork (32 ch) train step, batch 8 of 3x64x64, BCE, Adam; GFLOP/s: 3x fwd conv FLOPs")


def zhang_train(bf16=False):
    net = reference("zhang_reference").ZhangColorNet(259, 32)
    x, t = torch.rand(8, 3, 96, 96), torch.randint(0, 259, (8, 24, 24))
    if not bf16:
        return train_step(net, x, t, F.cross_entropy,
                          "Zhang colorizer net (width 32, 259 ab bins) train step, batch 8 of 3x96x96, cross-entropy, Adam; GFLOP/s: 3x fwd conv FLOPs")

    class Bf16Autocast(nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return self.inner(x).float()
    return train_step(Bf16Autocast(net), x, t, F.cross_entropy,
                      "the same under CPU bfloat16 autocast (forward in bf16, loss in float32); GFLOP/s: 3x fwd conv FLOPs")


def zhang_train_bf16():
    return zhang_train(bf16=True)


def espcn_x2_infer_256():
    return infer(espcn(), torch.rand(1, 3, 256, 256), "ESPCN x2 inference (no_grad), one 3x256x256 image; GFLOP/s: fwd conv FLOPs")


def unet_small_infer_256():
    return infer(unet_small(), torch.rand(1, 3, 256, 256), "U-Net 'small' inference (no_grad, eval), one 3x256x256 image; GFLOP/s: fwd conv FLOPs")


BENCHMARKS = [espcn_x2_train, rrdbnet_x4_train, unet_small_train, disc_dilation_train, zhang_train, zhang_train_bf16, espcn_x2_infer_256, unet_small_infer_256]
