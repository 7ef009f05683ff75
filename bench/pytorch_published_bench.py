"""PyTorch twins of bench/Workbench.Bench/PublishedBenchmarks.cs: published colorizers and SR networks, inference.

Each network is the parity-tested twin in tests/reference, loaded from the same published-layout file the C# side
loads (bench/published_bench_weights.py), in eval mode under no_grad, float32, one image per step.
"""
import torch

import published_bench_weights as weights
from pytorch_model_bench import infer

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


class ImageNetPixels(torch.nn.Module):
    """Pixels in, pixels out, as filters.py feeds DeOldify (norm, model, denorm) and as Workbench's DynamicUnet does inside."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net((x - MEAN) / STD) * STD + MEAN


def gray_560():
    """A render_factor 35 input: 35 * 16 = 560 square, gray (convert('LA').convert('RGB') tiles L), in [0, 1]."""
    return torch.rand(1, 1, 560, 560).expand(1, 3, 560, 560).contiguous()


def deoldify_stable_rf35():
    net = ImageNetPixels(weights.load(weights.deoldify("stable"), "deoldify-stable.pth", "model"))
    return infer(net, gray_560(), "DeOldify stable generator (ResNet-101, wide, nf_factor 2) inference at render_factor 35, one 3x560x560 image; GFLOP/s: fwd conv FLOPs")


def deoldify_artistic_rf35():
    net = ImageNetPixels(weights.load(weights.deoldify("artistic"), "deoldify-artistic.pth", "model"))
    return infer(net, gray_560(), "DeOldify artistic generator (ResNet-34, deep, nf_factor 1.5) inference at render_factor 35, one 3x560x560 image; GFLOP/s: fwd conv FLOPs")


def zhang_eccv16_256():
    net = weights.load(weights.eccv16(), "zhang-eccv16.pth")
    return infer(net, torch.rand(1, 1, 256, 256) * 100, "Zhang eccv16 (as released) inference, one 1x256x256 L; GFLOP/s: fwd conv FLOPs")


def rrdbnet_x4_23b_256():
    net = weights.load(weights.rrdbnet_x4(), "rrdbnet-x4-23b.pth", "params_ema")
    return infer(net, torch.rand(1, 3, 256, 256), "RRDBNet x4 (64 feat, 23 blocks, growth 32; RealESRGAN_x4plus) inference, one 3x256x256 tile; GFLOP/s: fwd conv FLOPs")


def srvgg_compact_x4_512():
    net = weights.load(weights.srvgg_compact_x4(), "srvgg-compact-x4.pth", "params")
    return infer(net, torch.rand(1, 3, 512, 512), "SRVGGNetCompact x4 (64 feat, 32 convs, PReLU; realesr-general-x4v3) inference, one 3x512x512 image; GFLOP/s: fwd conv FLOPs")


BENCHMARKS = [deoldify_stable_rf35, deoldify_artistic_rf35, zhang_eccv16_256, rrdbnet_x4_23b_256, srvgg_compact_x4_512]
