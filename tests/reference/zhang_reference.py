"""Expected results for the Zhang et al. colorizer (tests/Workbench.Tests/Models/ZhangColorizerTests.cs).

  zhang_reference.py OUT   writes OUT/zhang.safetensors:
    bins/centers           (Q, 2) in-gamut ab bin centres: a 33^3 lattice of the RGB cube -> Lab, 10-unit grid cells hit
    net/state/KEY, net/in0 ZhangColorNet (width 4) with random BatchNorm statistics; input gray RGB (2, 3, 32, 48)
    net/eval, net/train    logits in eval and training mode; net/gout, net/grad_in0: gradient of sum(train * gout)
    loss/target, loss/weight, loss/value, loss/grad   rebalanced cross-entropy of net/train vs an RGB target
    prior, rebalance       a random prior and its rebalancing weights (lambda 0.5, sigma 5)
    decode/T{t}            annealed mean of net/eval at T = 0.38 and 1.0
    colorizer/eval         the whole colorizer: gray RGB -> RGB (annealed mean 0.38, bilinear ab, input's L)
Independent of the C# code: bins by brute force over the lattice, targets by nearest centre (argmin of distances).
"""
import copy
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

torch.set_num_threads(1)
D65 = torch.tensor([0.95047, 1.0, 1.08883])
XYZ_FROM_RGB = torch.tensor([[0.412453, 0.357580, 0.180423], [0.212671, 0.715160, 0.072169], [0.019334, 0.119193, 0.950227]])


def rgb2lab(rgb):  # (..., 3, H, W) in [0, 1], skimage's formulas
    lin = torch.where(rgb > 0.04045, ((rgb.clamp(min=0.04045) + 0.055) / 1.055) ** 2.4, rgb / 12.92)
    xyz = torch.einsum("ij,...jhw->...ihw", XYZ_FROM_RGB.to(rgb.dtype), lin) / D65.to(rgb.dtype).view(3, 1, 1)
    f = torch.where(xyz > 0.008856, xyz.clamp(min=0.008856) ** (1 / 3), xyz * 7.787 + 16 / 116)
    fx, fy, fz = f.unbind(-3)
    return torch.stack([116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)], -3)


def lab2rgb(lab):
    l, a, b = lab.unbind(-3)
    fy = (l + 16) / 116
    f = torch.stack([a / 500 + fy, fy, (fy - b / 200).clamp(min=0)], -3)
    xyz = torch.where(f > 0.2068966, f ** 3, (f - 16 / 116) / 7.787) * D65.view(3, 1, 1)
    lin = torch.einsum("ij,...jhw->...ihw", torch.linalg.inv(XYZ_FROM_RGB.double()).float(), xyz)
    rgb = torch.where(lin > 0.0031308, 1.055 * lin.clamp(min=0.0031308) ** (1 / 2.4) - 0.055, lin * 12.92)
    return rgb.clamp(0, 1)


def bin_centers(step=10.0, limit=110.0):
    levels = torch.linspace(0, 1, 33)
    r, g, b = torch.meshgrid(levels, levels, levels, indexing="ij")
    lab = rgb2lab(torch.stack([r, g, b]).reshape(3, 33 * 33, 33))
    ab = lab[1:].reshape(2, -1)
    size = int(round(2 * limit / step)) + 1
    cells = ((ab + limit) / step).round().clamp(0, size - 1).long()
    hit = torch.zeros(size * size, dtype=torch.bool)
    hit[cells[0] * size + cells[1]] = True
    idx = hit.nonzero().squeeze(1)
    return torch.stack([(idx // size).float() * step - limit, (idx % size).float() * step - limit], 1)


def block(*convs):
    layers = []
    for ci, co, s, d in convs:
        layers += [nn.Conv2d(ci, co, 3, s, d, d, bias=False, padding_mode="reflect"), nn.BatchNorm2d(co), nn.ReLU()]
    return nn.Sequential(*layers)


class ZhangColorNet(nn.Module):
    def __init__(self, bins, w):
        super().__init__()
        self.down1 = block((1, w, 1, 1), (w, 2 * w, 2, 1))
        self.down2 = block((2 * w, 4 * w, 2, 1), (4 * w, 4 * w, 1, 1))
        self.down3 = block((4 * w, 8 * w, 2, 1), (8 * w, 8 * w, 1, 1))
        self.dilated = block((8 * w, 8 * w, 1, 2), (8 * w, 8 * w, 1, 4), (8 * w, 8 * w, 1, 2))
        self.up = nn.ConvTranspose2d(8 * w, 4 * w, 4, 2, 1)
        self.fuse = block((8 * w, 4 * w, 1, 1), (4 * w, 4 * w, 1, 1))
        self.head = nn.Conv2d(4 * w, bins, 1)

    def forward(self, x):
        l = rgb2lab(x)[:, :1] / 50 - 1
        quarter = self.down2(self.down1(l))
        h = self.dilated(self.down3(quarter))
        return self.head(self.fuse(torch.cat([self.up(h), quarter], 1)))


def annealed_mean(logits, centers, t):
    return torch.einsum("nqhw,qc->nchw", F.softmax(logits / t, 1), centers)


def rebalance(prior, centers, lam=0.5, sigma=5.0):
    d2 = ((centers[:, None] - centers[None]) ** 2).sum(-1)
    smooth = torch.exp(-d2 / (2 * sigma * sigma)) @ prior
    smooth = smooth / smooth.sum()
    w = 1 / ((1 - lam) * smooth + lam / len(prior))
    return w / (smooth * w).sum()


def main(out_dir):
    g = torch.Generator().manual_seed(7)
    torch.manual_seed(0)
    out = {}
    centers = bin_centers()
    out["bins/centers"] = centers
    net = ZhangColorNet(len(centers), 4)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
    for k, v in net.state_dict().items():
        out[f"net/state/{k}"] = v.clone()
    gray = torch.rand(2, 1, 40, 48, generator=g).expand(2, 3, 40, 48).contiguous()  # 40: the smallest side reflection takes
    out["net/in0"] = gray
    reference = copy.deepcopy(net)
    net.eval()
    with torch.no_grad():
        logits = net(gray)
    out["net/eval"] = logits
    net.train()
    x = gray.clone().requires_grad_(True)
    y = net(x)
    gout = torch.randn(y.shape, generator=g)
    (y * gout).sum().backward()
    out["net/train"], out["net/gout"], out["net/grad_in0"] = y.detach().clone(), gout, x.grad.clone()

    # The rebalanced loss on the training logits, against an RGB target.
    target = torch.rand(2, 3, 40, 48, generator=g)
    prior = torch.rand(len(centers), generator=g) ** 4
    prior = prior / prior.sum()
    weight = rebalance(prior, centers)
    out["prior"], out["rebalance"] = prior, weight
    logits_t = y.detach().clone().requires_grad_(True)
    ab = F.adaptive_avg_pool2d(rgb2lab(target)[:, 1:], logits_t.shape[-2:])
    classes = ((ab.permute(0, 2, 3, 1)[..., None, :] - centers) ** 2).sum(-1).argmin(-1)
    loss = F.cross_entropy(logits_t, classes, weight=weight)
    loss.backward()
    out["loss/target"], out["loss/value"], out["loss/grad"] = target, loss.detach().reshape(1), logits_t.grad.clone()
    out["loss/classes"] = classes

    for t in (0.38, 1.0):
        out[f"decode/T{t}"] = annealed_mean(logits, centers, t)
    reference.eval()
    with torch.no_grad():
        ab_full = F.interpolate(annealed_mean(reference(gray), centers, 0.38), size=gray.shape[-2:], mode="bilinear", align_corners=False)
        out["colorizer/eval"] = lab2rgb(torch.cat([rgb2lab(gray)[:, :1], ab_full], 1))
    safetensors_io.save(f"{out_dir}/zhang.safetensors", out)


if __name__ == "__main__":
    main(sys.argv[1])
