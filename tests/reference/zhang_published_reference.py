"""Zhang et al.'s published colorizers (richzhang/colorization: colorizers/eccv16.py, siggraph17.py, util.py,
demo_release.py), as twins written here from upstream's definitions with upstream's module names, on random weights.

Usage: /usr/bin/python3 zhang_published_reference.py OUTDIR. Writes
  OUTDIR/eccv16.pth        ECCVGenerator's bare state_dict, torch.save's zip format (as colorization_release_v2-9b330a0b.pth)
  OUTDIR/siggraph17.pth    SIGGRAPHGenerator's bare state_dict in the legacy (pre-1.6) format, without num_batches_tracked
                           (saved before PyTorch 0.4.1 had it)
  OUTDIR/photo.png         a small RGB photo (48 x 80)
  OUTDIR/expected.safetensors
      net/l, net/ab, net/mask                      L (1, 1, 64, 64) in [0, 100]; sparse ab hints and their mask
      eccv16/out, eccv16/out64                     eccv16(L) in float32 and float64 (the float64 run sizes the tolerance)
      siggraph17/out, siggraph17/out64             siggraph17(L) (no hints: upstream's zeros)
      siggraph17/hinted, siggraph17/hinted64       siggraph17(L, ab, mask)
      pipeline/NAME/SIDE/resized                   the photo resized to SIDE x SIDE by PIL (uint8, CHW)
      pipeline/NAME/SIDE/rgb                       demo_release.py's colorized photo, lab2rgb's float output (CHW)
      pipeline/NAME/SIDE/png                       the same as plt.imsave writes it: (rgb * 255).astype(uint8)
  for (NAME, SIDE) in (eccv16, 256) (the demo's size) and (siggraph17, 64) (kept small for speed).
BatchNorm statistics are those of a random batch, then perturbed, and affine parameters are random, so that the
activations stay in range through the 8 blocks and no BatchNorm is an identity.
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image
from skimage import color

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

torch.set_num_threads(1)
L_CENT, L_NORM, AB_NORM = 50.0, 100.0, 110.0  # upstream's BaseColor


def convs(spec, relu_first=False, norm=True):
    """A block as upstream lists it: [ReLU,] (conv 3x3, ReLU) per (in, out, stride, dilation), then BatchNorm."""
    layers = [nn.ReLU(True)] if relu_first else []
    for cin, cout, stride, dilation in spec:
        layers += [nn.Conv2d(cin, cout, 3, stride=stride, padding=dilation, dilation=dilation, bias=True), nn.ReLU(True)]
    if norm:
        layers.append(nn.BatchNorm2d(spec[-1][1]))
    return nn.Sequential(*layers)


def same(c, n, dilation=1):
    return [(c, c, 1, dilation)] * n


class ECCVGenerator(nn.Module):
    def __init__(self):
        super().__init__()
        self.model1 = convs([(1, 64, 1, 1), (64, 64, 2, 1)])
        self.model2 = convs([(64, 128, 1, 1), (128, 128, 2, 1)])
        self.model3 = convs([(128, 256, 1, 1), (256, 256, 1, 1), (256, 256, 2, 1)])
        self.model4 = convs([(256, 512, 1, 1)] + same(512, 2))
        self.model5 = convs(same(512, 3, 2))
        self.model6 = convs(same(512, 3, 2))
        self.model7 = convs(same(512, 3))
        self.model8 = nn.Sequential(nn.ConvTranspose2d(512, 256, 4, stride=2, padding=1, bias=True), nn.ReLU(True),
                                    *convs(same(256, 2), norm=False), nn.Conv2d(256, 313, 1, bias=True))
        self.softmax = nn.Softmax(dim=1)
        self.model_out = nn.Conv2d(313, 2, 1, bias=False)
        self.upsample4 = nn.Upsample(scale_factor=4, mode="bilinear")

    def forward(self, l):
        x = (l - L_CENT) / L_NORM
        for m in [self.model1, self.model2, self.model3, self.model4, self.model5, self.model6, self.model7, self.model8]:
            x = m(x)
        return self.upsample4(self.model_out(self.softmax(x))) * AB_NORM


class SIGGRAPHGenerator(nn.Module):
    def __init__(self, classes=529):
        super().__init__()
        self.model1 = convs([(4, 64, 1, 1), (64, 64, 1, 1)])
        self.model2 = convs([(64, 128, 1, 1), (128, 128, 1, 1)])
        self.model3 = convs([(128, 256, 1, 1)] + same(256, 2))
        self.model4 = convs([(256, 512, 1, 1)] + same(512, 2))
        self.model5 = convs(same(512, 3, 2))
        self.model6 = convs(same(512, 3, 2))
        self.model7 = convs(same(512, 3))
        self.model8up = nn.Sequential(nn.ConvTranspose2d(512, 256, 4, stride=2, padding=1, bias=True))
        self.model8 = convs(same(256, 2), relu_first=True)
        self.model9up = nn.Sequential(nn.ConvTranspose2d(256, 128, 4, stride=2, padding=1, bias=True))
        self.model9 = convs(same(128, 1), relu_first=True)
        self.model10up = nn.Sequential(nn.ConvTranspose2d(128, 128, 4, stride=2, padding=1, bias=True))
        self.model10 = nn.Sequential(nn.ReLU(True), nn.Conv2d(128, 128, 3, padding=1, bias=True), nn.LeakyReLU(0.2))
        self.model3short8 = nn.Sequential(nn.Conv2d(256, 256, 3, padding=1, bias=True))
        self.model2short9 = nn.Sequential(nn.Conv2d(128, 128, 3, padding=1, bias=True))
        self.model1short10 = nn.Sequential(nn.Conv2d(64, 128, 3, padding=1, bias=True))
        self.model_class = nn.Sequential(nn.Conv2d(256, classes, 1, bias=True))
        self.model_out = nn.Sequential(nn.Conv2d(128, 2, 1, bias=True), nn.Tanh())
        self.upsample4 = nn.Sequential(nn.Upsample(scale_factor=4, mode="bilinear"))
        self.softmax = nn.Sequential(nn.Softmax(dim=1))

    def forward(self, l, ab=None, mask=None):
        ab = torch.cat((l * 0, l * 0), dim=1) if ab is None else ab
        mask = l * 0 if mask is None else mask
        conv1_2 = self.model1(torch.cat(((l - L_CENT) / L_NORM, ab / AB_NORM, mask), dim=1))
        conv2_2 = self.model2(conv1_2[:, :, ::2, ::2])
        conv3_3 = self.model3(conv2_2[:, :, ::2, ::2])
        conv4_3 = self.model4(conv3_3[:, :, ::2, ::2])
        conv7_3 = self.model7(self.model6(self.model5(conv4_3)))
        conv8_3 = self.model8(self.model8up(conv7_3) + self.model3short8(conv3_3))
        conv9_3 = self.model9(self.model9up(conv8_3) + self.model2short9(conv2_2))
        conv10_2 = self.model10(self.model10up(conv9_3) + self.model1short10(conv1_2))
        return self.model_out(conv10_2) * AB_NORM


def randomise(net, calibration):
    """Random affine BatchNorm parameters, then running statistics from one batch (perturbed); returns the net in eval."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0, 0.2)
                m.momentum = None  # cumulative average: after one batch the running statistics are that batch's
        net.train()
        net(*calibration)
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.add_(torch.randn_like(m.running_mean) * 0.1 * m.running_var.sqrt())
                m.running_var.mul_(torch.empty_like(m.running_var).uniform_(0.8, 1.25))
                m.momentum = 0.1
    return net.eval()


def smooth_l(n, h, w):
    """Lightness with structure: a few blurred random fields, in [0, 100]."""
    x = F.interpolate(torch.rand(n, 1, h // 8, w // 8), size=(h, w), mode="bicubic", align_corners=False)
    return (x + 0.1 * torch.rand(n, 1, h, w)).clamp(0, 1) * 100


# ---- upstream's util.py / demo_release.py, written out ----------------------------------------------------------
def resize_img(rgb, side):
    return np.asarray(Image.fromarray(rgb).resize((side, side), resample=Image.BICUBIC))


def demo(net, rgb, side):
    resized = resize_img(rgb, side)
    l_orig = torch.Tensor(color.rgb2lab(rgb)[:, :, 0])[None, None]
    l_rs = torch.Tensor(color.rgb2lab(resized)[:, :, 0])[None, None]
    with torch.no_grad():
        ab = net(l_rs)
    if ab.shape[2:] != l_orig.shape[2:]:
        ab = F.interpolate(ab, size=l_orig.shape[2:], mode="bilinear")
    lab = torch.cat((l_orig, ab), dim=1)
    out = color.lab2rgb(lab.numpy()[0].transpose((1, 2, 0)))
    return resized, out


def photo(h, w):
    """A photo with smooth colour regions, an edge and some noise."""
    gen = np.random.default_rng(5)
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    rgb = np.stack([0.5 + 0.4 * np.sin(6 * xx + 1), 0.4 + 0.3 * np.cos(5 * yy), 0.3 + 0.5 * xx * yy], axis=-1)
    rgb[h // 3:, w // 2:] *= 0.5
    rgb += gen.normal(0, 0.03, rgb.shape)
    return (rgb.clip(0, 1) * 255).round().astype(np.uint8)


def chw(a):
    return torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))


def main(outdir):
    torch.manual_seed(17)
    l = smooth_l(1, 64, 64)
    mask = (torch.rand(1, 1, 64, 64) < 0.05).float()
    ab = (torch.rand(1, 2, 64, 64) * 200 - 100) * mask
    expected = {"net/l": l, "net/ab": ab, "net/mask": mask}

    eccv = randomise(ECCVGenerator(), (smooth_l(2, 64, 64),))
    with torch.no_grad():
        # As in the released file, model_out holds ab bin centres / 110 (in [-1, 1]) and the logits are peaked (random
        # convs shrink them: x100 gives a std of about 4), so the softmax is far from uniform and ab spans about +-90.
        eccv.model_out.weight.uniform_(-1, 1)
        eccv.model8[6].weight.mul_(100)
    sig = randomise(SIGGRAPHGenerator(), (smooth_l(2, 64, 64),))
    torch.save(eccv.state_dict(), os.path.join(outdir, "eccv16.pth"))
    legacy = {k: v for k, v in sig.state_dict().items() if not k.endswith("num_batches_tracked")}
    torch.save(legacy, os.path.join(outdir, "siggraph17.pth"), _use_new_zipfile_serialization=False)

    with torch.no_grad():
        expected["eccv16/out"] = eccv(l)
        expected["siggraph17/out"] = sig(l)
        expected["siggraph17/hinted"] = sig(l, ab, mask)
        rgb = photo(48, 80)
        Image.fromarray(rgb).save(os.path.join(outdir, "photo.png"))
        for name, net, side in [("eccv16", eccv, 256), ("siggraph17", sig, 64)]:
            resized, out = demo(net, rgb, side)
            expected[f"pipeline/{name}/{side}/resized"] = chw(resized)
            expected[f"pipeline/{name}/{side}/rgb"] = chw(out.astype(np.float32))
            expected[f"pipeline/{name}/{side}/png"] = chw((out * 255).astype(np.uint8))
        eccv.double()
        sig.double()
        expected["eccv16/out64"] = eccv(l.double())
        expected["siggraph17/out64"] = sig(l.double())
        expected["siggraph17/hinted64"] = sig(l.double(), ab.double(), mask.double())
    save(os.path.join(outdir, "expected.safetensors"), expected)


if __name__ == "__main__":
    main(sys.argv[1])
