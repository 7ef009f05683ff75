"""Small checkpoints laid out as Real-ESRGAN's compact models and the original ESRGAN x4 files, with PyTorch's outputs.

Usage: /usr/bin/python3 published_sr_compact.py OUTDIR. Writes
  OUTDIR/realesr-general-x4v3_tiny.pth  SRVGGNetCompact (prelu, num_feat 8, num_conv 3, x4) as {'params': ...}, zip format,
                                        as Real-ESRGAN's realesr-general-x4v3.pth / realesr-animevideov3.pth are saved
  OUTDIR/RRDB_ESRGAN_x4_2018_tiny.pth   x4 RRDBNet in the 2018 release's flattened-Sequential naming (model.0,
                                        model.1.sub.N.RDB1.conv1.0, ..., model.10), legacy (pre-1.6) format, bare state_dict
  OUTDIR/RRDB_ESRGAN_x4_tiny.pth        the same network in ESRGAN's 2019 RRDBNet_arch.py naming (RRDB_trunk, trunk_conv,
                                        upconv1, HRconv), legacy format, bare state_dict (as RRDB_ESRGAN_x4.pth is today)
  OUTDIR/expected.safetensors           in (1, 3, 12, 16) and NAME/out: each file's model output on it; and for each
                                        SRVGGNetCompact parity case CASE (srvgg_prelu, srvgg_relu, srvgg_leakyrelu):
                                        CASE/state/KEY, CASE/in0, CASE/out, CASE/gout, CASE/grad_in0, CASE/grad/param/KEY
The networks are written here from upstream's definitions (Real-ESRGAN realesrgan/archs/srvgg_arch.py; xinntao/ESRGAN
RRDBNet_arch.py; old BasicSR codes/models/modules/architecture.py and block.py), so the keys come from real modules.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

torch.set_num_threads(1)


# ---- Real-ESRGAN SRVGGNetCompact --------------------------------------------------------------------------------

class SRVGGNetCompact(nn.Module):
    def __init__(self, num_in_ch=3, num_out_ch=3, num_feat=64, num_conv=16, upscale=4, act_type='prelu'):
        super().__init__()
        self.upscale = upscale

        def activation():
            if act_type == 'relu':
                return nn.ReLU(inplace=True)
            if act_type == 'prelu':
                return nn.PReLU(num_parameters=num_feat)
            if act_type == 'leakyrelu':
                return nn.LeakyReLU(negative_slope=0.1, inplace=True)
            raise ValueError(act_type)

        self.body = nn.ModuleList()
        self.body.append(nn.Conv2d(num_in_ch, num_feat, 3, 1, 1))
        self.body.append(activation())
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(activation())
        self.body.append(nn.Conv2d(num_feat, num_out_ch * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x):
        out = x
        for layer in self.body:
            out = layer(out)
        out = self.upsampler(out)
        out += F.interpolate(x, scale_factor=self.upscale, mode='nearest')
        return out


# ---- ESRGAN 2018: old BasicSR's flattened nn.Sequential ------------------------------------------------------------

def sequential(*args):
    """Old BasicSR's B.sequential: unwraps nn.Sequential arguments and drops None."""
    if len(args) == 1:
        return args[0]
    modules = []
    for module in args:
        if isinstance(module, nn.Sequential):
            modules.extend(module.children())
        elif isinstance(module, nn.Module):
            modules.append(module)
    return nn.Sequential(*modules)


def conv_block(in_nc, out_nc, act=True):
    return sequential(None, nn.Conv2d(in_nc, out_nc, 3, 1, 1), None, nn.LeakyReLU(0.2, True) if act else None)


class ShortcutBlock(nn.Module):
    def __init__(self, submodule):
        super().__init__()
        self.sub = submodule

    def forward(self, x):
        return x + self.sub(x)


class OldResidualDenseBlock5C(nn.Module):
    def __init__(self, nc, gc):
        super().__init__()
        self.conv1 = conv_block(nc, gc)
        self.conv2 = conv_block(nc + gc, gc)
        self.conv3 = conv_block(nc + 2 * gc, gc)
        self.conv4 = conv_block(nc + 3 * gc, gc)
        self.conv5 = conv_block(nc + 4 * gc, nc, act=False)

    def forward(self, x):
        x1 = self.conv1(x)
        x2 = self.conv2(torch.cat((x, x1), 1))
        x3 = self.conv3(torch.cat((x, x1, x2), 1))
        x4 = self.conv4(torch.cat((x, x1, x2, x3), 1))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5.mul(0.2) + x


class OldRRDB(nn.Module):
    def __init__(self, nc, gc):
        super().__init__()
        self.RDB1 = OldResidualDenseBlock5C(nc, gc)
        self.RDB2 = OldResidualDenseBlock5C(nc, gc)
        self.RDB3 = OldResidualDenseBlock5C(nc, gc)

    def forward(self, x):
        return self.RDB3(self.RDB2(self.RDB1(x))).mul(0.2) + x


class OldRRDBNet(nn.Module):
    """x4, upsample_mode 'upconv': Upsample(nearest) + conv + LeakyReLU, twice."""

    def __init__(self, in_nc, out_nc, nf, nb, gc):
        super().__init__()
        fea_conv = conv_block(in_nc, nf, act=False)
        rb_blocks = [OldRRDB(nf, gc) for _ in range(nb)]
        lr_conv = conv_block(nf, nf, act=False)
        upsampler = [sequential(nn.Upsample(scale_factor=2, mode='nearest'), conv_block(nf, nf)) for _ in range(2)]
        hr_conv0 = conv_block(nf, nf)
        hr_conv1 = conv_block(nf, out_nc, act=False)
        self.model = sequential(fea_conv, ShortcutBlock(sequential(*rb_blocks, lr_conv)), *upsampler, hr_conv0, hr_conv1)

    def forward(self, x):
        return self.model(x)


# ---- ESRGAN 2019: RRDBNet_arch.py ----------------------------------------------------------------------------------

class ResidualDenseBlock_5C(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, gc, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + gc, gc, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * gc, gc, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * gc, gc, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * gc, nf, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf, gc):
        super().__init__()
        self.RDB1 = ResidualDenseBlock_5C(nf, gc)
        self.RDB2 = ResidualDenseBlock_5C(nf, gc)
        self.RDB3 = ResidualDenseBlock_5C(nf, gc)

    def forward(self, x):
        return self.RDB3(self.RDB2(self.RDB1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, in_nc, out_nc, nf, nb, gc):
        super().__init__()
        self.conv_first = nn.Conv2d(in_nc, nf, 3, 1, 1)
        self.RRDB_trunk = nn.Sequential(*[RRDB(nf, gc) for _ in range(nb)])
        self.trunk_conv = nn.Conv2d(nf, nf, 3, 1, 1)
        self.upconv1 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.upconv2 = nn.Conv2d(nf, nf, 3, 1, 1)
        self.HRconv = nn.Conv2d(nf, nf, 3, 1, 1)
        self.conv_last = nn.Conv2d(nf, out_nc, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(negative_slope=0.2, inplace=True)

    def forward(self, x):
        fea = self.conv_first(x)
        fea = fea + self.trunk_conv(self.RRDB_trunk(fea))
        fea = self.lrelu(self.upconv1(F.interpolate(fea, scale_factor=2, mode='nearest')))
        fea = self.lrelu(self.upconv2(F.interpolate(fea, scale_factor=2, mode='nearest')))
        return self.conv_last(self.lrelu(self.HRconv(fea)))


def randomise(net):
    """Weights away from the defaults (PReLU slopes all 0.25, small biases), so a wrong slope or bias shows."""
    with torch.no_grad():
        for name, p in net.named_parameters():
            if p.dim() == 1:
                p.uniform_(-0.5, 0.5)
    return net


def main(outdir):
    torch.manual_seed(5)
    x = torch.rand(1, 3, 12, 16)
    expected = {"in": x}

    compact = randomise(SRVGGNetCompact(3, 3, num_feat=8, num_conv=3, upscale=4, act_type='prelu')).eval()
    torch.save({"params": compact.state_dict()}, os.path.join(outdir, "realesr-general-x4v3_tiny.pth"))
    with torch.no_grad():
        expected["realesr-general-x4v3_tiny/out"] = compact(x)

    old = randomise(OldRRDBNet(3, 3, nf=8, nb=2, gc=4)).eval()
    torch.save(old.state_dict(), os.path.join(outdir, "RRDB_ESRGAN_x4_2018_tiny.pth"), _use_new_zipfile_serialization=False)
    with torch.no_grad():
        expected["RRDB_ESRGAN_x4_2018_tiny/out"] = old(x)

    new = randomise(RRDBNet(3, 3, nf=8, nb=3, gc=4)).eval()
    torch.save(new.state_dict(), os.path.join(outdir, "RRDB_ESRGAN_x4_tiny.pth"), _use_new_zipfile_serialization=False)
    with torch.no_grad():
        expected["RRDB_ESRGAN_x4_tiny/out"] = new(x)

    # Parity: forward, input and parameter gradients, one case per activation, scales 4, 2 and 3, odd sizes.
    for case, act, num_conv, scale, shape in [("srvgg_prelu", "prelu", 2, 4, (2, 3, 5, 7)),
                                              ("srvgg_relu", "relu", 1, 2, (1, 3, 6, 9)),
                                              ("srvgg_leakyrelu", "leakyrelu", 2, 3, (1, 3, 7, 4))]:
        net = randomise(SRVGGNetCompact(3, 3, num_feat=6, num_conv=num_conv, upscale=scale, act_type=act))
        for k, v in net.state_dict().items():
            expected[f"{case}/state/{k}"] = v.clone()
        xin = (torch.rand(*shape) * 2 - 0.5).requires_grad_()
        out = net(xin)
        gout = torch.randn_like(out)
        (out * gout).sum().backward()
        expected[f"{case}/in0"] = xin.detach()
        expected[f"{case}/out"] = out.detach()
        expected[f"{case}/gout"] = gout
        expected[f"{case}/grad_in0"] = xin.grad
        for k, p in net.named_parameters():
            expected[f"{case}/grad/param/{k}"] = p.grad

    save(os.path.join(outdir, "expected.safetensors"), expected)


if __name__ == "__main__":
    main(sys.argv[1])
