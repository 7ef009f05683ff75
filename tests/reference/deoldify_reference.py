"""DeOldify's published generators (jantic/DeOldify: deoldify/unet.py, layers.py, generators.py, filters.py, and the
fastai 1.0.x it vendors: fastai/layers.py), as twins written here from upstream's definitions with upstream's module
names (SequentialEx, forward hooks on the encoder, MergeLayer reading x.orig), on random weights, full size.

Usage: /usr/bin/python3 deoldify_reference.py OUTDIR. Writes
  OUTDIR/artistic.pth   DynamicUnetDeep on ResNet-34, nf_factor 1.5 (ColorizeArtistic_gen.pth's layout)
  OUTDIR/stable.pth     DynamicUnetWide on ResNet-101, nf_factor 2 (ColorizeStable_gen.pth / ColorizeVideo_gen.pth)
      both as fastai Learner files {'model': state_dict, 'opt': None} in torch.save's legacy (pre-1.6) format
  OUTDIR/photo.png      a small RGB photo (48 x 80)
  OUTDIR/keys.txt       NAME KEY SHAPE for each state-dict entry (what the C# layout must recognise)
  OUTDIR/expected.safetensors
      net/x                              pixels (1, 3, 64, 64) in [0, 1]
      NAME/out, NAME/out64               denorm(model(norm(x))) in float32 and float64 (eval: no power iteration)
      NAME/pipeline/raw                  filters.py's model image at render_factor 4 (64 x 64, uint8 HWC → CHW)
      NAME/pipeline/png                  ColorizerFilter.filter(photo, photo, 4): post-processed, the photo's size (CHW)
Weights: kaiming convs, BatchNorm running statistics from a few training forwards (which also run spectral norm's
power iteration, so u and v are converged as in a trained file), then perturbed; random affine BatchNorm; the
self-attention gamma non-zero; weight norm's g not the norm of v.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

torch.set_num_threads(2)
MEAN = torch.tensor([0.485, 0.456, 0.406])
STD = torch.tensor([0.229, 0.224, 0.225])
SPECTRAL, WEIGHT, BATCH = "Spectral", "Weight", "Batch"


# ---- torchvision's ResNet (the body fastai's create_body keeps: children()[:-2]) -----------------------------------
class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(out)) + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)  # torchvision's v1.5: the stride on the 3x3
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        return self.relu(self.bn3(self.conv3(out)) + identity)


def resnet_body(block, layers):
    inplanes = 64
    stages = []
    for i, (planes, n) in enumerate(zip([64, 128, 256, 512], layers)):
        stride = 1 if i == 0 else 2
        down = None
        if stride != 1 or inplanes != planes * block.expansion:
            down = nn.Sequential(nn.Conv2d(inplanes, planes * block.expansion, 1, stride, bias=False), nn.BatchNorm2d(planes * block.expansion))
        blocks = [block(inplanes, planes, stride, down)]
        inplanes = planes * block.expansion
        blocks += [block(inplanes, planes) for _ in range(1, n)]
        stages.append(nn.Sequential(*blocks))
    for m in [m for s in stages for m in s.modules()] :
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
    nn.init.kaiming_normal_(conv1.weight, mode="fan_out", nonlinearity="relu")
    return nn.Sequential(conv1, nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1), *stages)


# ---- fastai 1.0.x as DeOldify vendors it (fastai/layers.py) ---------------------------------------------------------
def fa_conv1d(ni, no):
    conv = nn.Conv1d(ni, no, 1, bias=False)
    nn.init.kaiming_normal_(conv.weight)
    return nn.utils.spectral_norm(conv)


class SelfAttention(nn.Module):
    def __init__(self, n_channels):
        super().__init__()
        self.query, self.key, self.value = fa_conv1d(n_channels, n_channels // 8), fa_conv1d(n_channels, n_channels // 8), fa_conv1d(n_channels, n_channels)
        self.gamma = nn.Parameter(torch.tensor([0.]))

    def forward(self, x):
        size = x.size()
        x = x.view(*size[:2], -1)
        f, g, h = self.query(x), self.key(x), self.value(x)
        beta = F.softmax(torch.bmm(f.permute(0, 2, 1).contiguous(), g), dim=1)  # over the query positions
        return (self.gamma * torch.bmm(h, beta) + x).view(*size).contiguous()


def custom_conv_layer(ni, nf, ks=3, norm_type=BATCH, use_activ=True, self_attention=False, extra_bn=False):
    """deoldify/layers.py (fastai's conv_layer is this with extra_bn False)."""
    bn = norm_type == BATCH or extra_bn
    conv = nn.Conv2d(ni, nf, ks, padding=(ks - 1) // 2, bias=not bn)
    nn.init.kaiming_normal_(conv.weight)
    if conv.bias is not None:
        conv.bias.data.zero_()
    if norm_type == WEIGHT:
        conv = nn.utils.weight_norm(conv)
    elif norm_type == SPECTRAL:
        conv = nn.utils.spectral_norm(conv)
    layers = [conv]
    if use_activ:
        layers.append(nn.ReLU(True))
    if bn:
        layers.append(nn.BatchNorm2d(nf))
    if self_attention:
        layers.append(SelfAttention(nf))
    return nn.Sequential(*layers)


class PixelShuffle_ICNR(nn.Module):
    """Both DeOldify's CustomPixelShuffle_ICNR and its fastai's PixelShuffle_ICNR: `if self.blur` tests the AvgPool2d
    module, which is always true, so both always blur whatever `blur` says (pip fastai 1.0.61 tests do_blur)."""

    def __init__(self, ni, nf=None, norm_type=WEIGHT, extra_bn=False):
        super().__init__()
        nf = ni if nf is None else nf
        self.conv = custom_conv_layer(ni, nf * 4, ks=1, use_activ=False, norm_type=norm_type, extra_bn=extra_bn)
        self.shuf = nn.PixelShuffle(2)
        self.pad = nn.ReplicationPad2d((1, 0, 1, 0))
        self.blur = nn.AvgPool2d(2, stride=1)
        self.relu = nn.ReLU(True)

    def forward(self, x):
        x = self.shuf(self.relu(self.conv(x)))
        return self.blur(self.pad(x)) if self.blur else x


class SequentialEx(nn.Module):
    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        res = x
        for layer in self.layers:
            res.orig = x
            nres = layer(res)
            res.orig = None
            res = nres
        return res


class MergeLayer(nn.Module):
    def __init__(self, dense=False):
        super().__init__()
        self.dense = dense

    def forward(self, x):
        return torch.cat([x, x.orig], dim=1) if self.dense else x + x.orig


def res_block(nf, norm_type):
    # norm_type Spectral: neither conv has BatchNorm, both have a bias
    return SequentialEx(custom_conv_layer(nf, nf, norm_type=norm_type), custom_conv_layer(nf, nf, norm_type=norm_type), MergeLayer(False))


class SigmoidRange(nn.Module):
    def __init__(self, low, high):
        super().__init__()
        self.low, self.high = low, high

    def forward(self, x):
        return torch.sigmoid(x) * (self.high - self.low) + self.low


class Hook:
    def __init__(self, m):
        self.stored = None
        m.register_forward_hook(self.fn)

    def fn(self, module, inp, out):
        self.stored = out


# ---- deoldify/unet.py -------------------------------------------------------------------------------------------------
def match(up_out, s):
    return F.interpolate(up_out, s.shape[-2:], mode="nearest") if s.shape[-2:] != up_out.shape[-2:] else up_out


class UnetBlockDeep(nn.Module):
    def __init__(self, up_in_c, x_in_c, hook, final_div=True, self_attention=False, nf_factor=1.0):
        super().__init__()
        self.hook = hook
        self.shuf = PixelShuffle_ICNR(up_in_c, up_in_c // 2, norm_type=SPECTRAL, extra_bn=True)
        self.bn = nn.BatchNorm2d(x_in_c)
        ni = up_in_c // 2 + x_in_c
        nf = int((ni if final_div else ni // 2) * nf_factor)
        self.conv1 = custom_conv_layer(ni, nf, norm_type=SPECTRAL, extra_bn=True)
        self.conv2 = custom_conv_layer(nf, nf, norm_type=SPECTRAL, extra_bn=True, self_attention=self_attention)
        self.relu = nn.ReLU()

    def forward(self, up_in):
        s = self.hook.stored
        up_out = match(self.shuf(up_in), s)
        return self.conv2(self.conv1(self.relu(torch.cat([up_out, self.bn(s)], dim=1))))


class UnetBlockWide(nn.Module):
    def __init__(self, up_in_c, x_in_c, n_out, hook, self_attention=False):
        super().__init__()
        self.hook = hook
        up_out = x_out = n_out // 2
        self.shuf = PixelShuffle_ICNR(up_in_c, up_out, norm_type=SPECTRAL, extra_bn=True)
        self.bn = nn.BatchNorm2d(x_in_c)
        self.conv = custom_conv_layer(up_out + x_in_c, x_out, norm_type=SPECTRAL, extra_bn=True, self_attention=self_attention)
        self.relu = nn.ReLU()

    def forward(self, up_in):
        s = self.hook.stored
        up_out = match(self.shuf(up_in), s)
        return self.conv(self.relu(torch.cat([up_out, self.bn(s)], dim=1)))


def dynamic_unet(encoder, wide, nf_factor):
    """DynamicUnetWide/Deep(encoder, n_classes=3, blur=True, self_attention=True, y_range=(-3, 3), norm_type=Spectral,
    last_cross=True, bottle=False, nf_factor) as generators.py builds them."""
    with torch.no_grad():
        sizes, x = [], torch.zeros(1, 3, 256, 256)
        for m in encoder:
            x = m(x)
            sizes.append(x.shape)
    feature = [s[-1] for s in sizes]
    idxs = [i for i in range(len(feature) - 1) if feature[i] != feature[i + 1]]
    if feature[0] != feature[1]:
        idxs = [0] + idxs
    idxs = list(reversed(idxs))                                                            # 6, 5, 4, 2
    hooks = [Hook(encoder[i]) for i in idxs]
    ni = sizes[-1][1]
    middle = nn.Sequential(custom_conv_layer(ni, ni * 2, norm_type=SPECTRAL, extra_bn=True),
                           custom_conv_layer(ni * 2, ni, norm_type=SPECTRAL, extra_bn=True))
    layers = [encoder, nn.BatchNorm2d(ni), nn.ReLU(), middle]
    up_in_c = ni
    for i, idx in enumerate(idxs):
        not_final = i != len(idxs) - 1
        sa = i == len(idxs) - 3
        x_in_c = sizes[idx][1]
        if wide:
            nf = 512 * nf_factor
            block = UnetBlockWide(up_in_c, x_in_c, nf if not_final else nf // 2, hooks[i], self_attention=sa)
            up_in_c = (nf if not_final else nf // 2) // 2
        else:
            block = UnetBlockDeep(up_in_c, x_in_c, hooks[i], final_div=not_final, self_attention=sa, nf_factor=nf_factor)
            n = up_in_c // 2 + x_in_c
            up_in_c = int((n if not_final else n // 2) * nf_factor)
        layers.append(block)
    layers.append(PixelShuffle_ICNR(up_in_c))                                  # fastai's: weight norm, bias, blur
    layers.append(MergeLayer(dense=True))
    layers.append(res_block(up_in_c + 3, SPECTRAL))
    layers.append(custom_conv_layer(up_in_c + 3, 3, ks=1, use_activ=False, norm_type=SPECTRAL))
    layers.append(SigmoidRange(-3.0, 3.0))
    return SequentialEx(*layers)


def randomize(model, g):
    model.train()
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.momentum = None                                                  # running stats = the batches' average
    with torch.no_grad():
        for _ in range(3):
            model(torch.rand(2, 3, 64, 64, generator=g) * 2 - 1)
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.momentum = 0.1
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.5 + 0.75)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.add_(torch.randn(m.running_mean.shape, generator=g) * 0.05)
                m.running_var.mul_(torch.rand(m.running_var.shape, generator=g) * 0.2 + 0.9)
            if isinstance(m, SelfAttention):
                m.gamma.fill_(0.6)
            if hasattr(m, "weight_g"):
                m.weight_g.mul_(torch.rand(m.weight_g.shape, generator=g) + 0.5)
            if isinstance(m, nn.Conv2d) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.05)
    model.eval()


def photo(h, w):
    gen = np.random.default_rng(5)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * xx + 1), 0.4 + 0.3 * np.cos(5 * yy), 0.3 + 0.5 * xx * yy], axis=-1)
    rgb[h // 3:, w // 2:] *= 0.5
    rgb += gen.normal(0, 0.03, rgb.shape)
    return (rgb.clip(0, 1) * 255).round().astype(np.uint8)


# ---- OpenCV's 8-bit COLOR_RGB2YUV / COLOR_YUV2RGB (fixed point, 14 bits, rounded, saturated) --------------------------
# Equal to OpenCV 4.6's cv::cvtColor (Debian's libopencv-imgproc406) on all 2^24 inputs, both directions (checked 2026-12-07
# with a small C++ program: python3-opencv is not installed here, so the suite cannot call cv2 itself).
def descale(x):
    return (x + (1 << 13)) >> 14


def rgb2yuv(rgb):
    r, g, b = [rgb[..., i].astype(np.int64) for i in range(3)]
    y = descale(r * 4899 + g * 9617 + b * 1868)
    u = descale((b - y) * 8061 + (128 << 14))
    v = descale((r - y) * 14369 + (128 << 14))
    return np.stack([y, u, v], -1).clip(0, 255).astype(np.uint8)


def yuv2rgb(yuv):
    y, u, v = [yuv[..., i].astype(np.int64) for i in range(3)]
    u, v = u - 128, v - 128
    b = y + descale(u * 33292)
    g = y + descale(v * -9519 + u * -6472)
    r = y + descale(v * 18678)
    return np.stack([r, g, b], -1).clip(0, 255).astype(np.uint8)


def colorizer_filter(model, orig, render_factor):
    """filters.py ColorizerFilter.filter(orig, orig, render_factor) with post_process."""
    sz = render_factor * 16
    small = orig.resize((sz, sz), resample=Image.BILINEAR).convert("LA").convert("RGB")
    x = torch.from_numpy(np.asarray(small, dtype=np.float32).transpose(2, 0, 1).copy()).div_(255)
    x = (x - MEAN[:, None, None]) / STD[:, None, None]
    with torch.no_grad():
        out = model(x[None])[0]
    out = out * STD[:, None, None] + MEAN[:, None, None]                      # pred_batch(reconstruct=True)'s denorm
    raw = (out * 255).permute(1, 2, 0).numpy().astype(np.uint8)                # image2np(...).astype(uint8): truncates
    color = Image.fromarray(raw).resize(orig.size, resample=Image.BILINEAR)
    hires = rgb2yuv(np.asarray(orig)).copy()
    hires[:, :, 1:3] = rgb2yuv(np.asarray(color))[:, :, 1:3]
    return raw, yuv2rgb(hires)


def chw(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    torch.manual_seed(11)
    g = torch.Generator().manual_seed(3)
    x = torch.rand(1, 3, 64, 64, generator=g)
    rgb = photo(48, 80)
    Image.fromarray(rgb).save(os.path.join(outdir, "photo.png"))
    orig = Image.open(os.path.join(outdir, "photo.png")).convert("RGB")
    expected = {"net/x": x}
    lines = []
    for name, block, layers, wide, nf_factor in [("artistic", BasicBlock, [3, 4, 6, 3], False, 1.5), ("stable", Bottleneck, [3, 4, 23, 3], True, 2)]:
        model = dynamic_unet(resnet_body(block, layers), wide, nf_factor)
        randomize(model, g)
        state = model.state_dict()
        torch.save({"model": state, "opt": None}, os.path.join(outdir, name + ".pth"), _use_new_zipfile_serialization=False)
        lines += [f"{name} {k} {tuple(v.shape)}" for k, v in state.items()]
        with torch.no_grad():
            expected[name + "/out"] = model((x - MEAN.view(1, 3, 1, 1)) / STD.view(1, 3, 1, 1)) * STD.view(1, 3, 1, 1) + MEAN.view(1, 3, 1, 1)
            m64, x64 = model.double(), x.double()
            mean64, std64 = MEAN.double().view(1, 3, 1, 1), STD.double().view(1, 3, 1, 1)
            expected[name + "/out64"] = m64((x64 - mean64) / std64) * std64 + mean64
            model.float()
        raw, final = colorizer_filter(model, orig, 4)
        expected[name + "/pipeline/raw"] = chw(raw)
        expected[name + "/pipeline/png"] = chw(final)
        del model, state
    with open(os.path.join(outdir, "keys.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    save(os.path.join(outdir, "expected.safetensors"), expected)


if __name__ == "__main__":
    main(sys.argv[1])
