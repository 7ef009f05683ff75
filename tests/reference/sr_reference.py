"""PyTorch 1.13 reference for the super-resolution networks, discriminators, VGG losses and GAN losses.

Usage: /usr/bin/python3 sr_reference.py OUTDIR. Writes OUTDIR/sr.safetensors with, per case NAME:
  NAME/state/KEY   the weights the C# side loads (state_dict before the forward)
  NAME/in0         the input;  NAME/gout  a random upstream gradient (loss cases: none, the value is a scalar)
  NAME/out         the output (for feature lists: NAME/out/I)
  NAME/grad/in0    d(sum(out * gout))/d(in0);  NAME/grad/param/KEY  the same for parameters
  NAME/after/KEY   state_dict entries after the forward (BatchNorm running stats, spectral norm's u, v)
and the metadata "cases": a JSON list of {name, keys (state_dict order), train}.

The networks are written here from the papers and the SR notes' code (mirroring its attribute names), not
imported, so both sides are independent implementations that must agree.
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import save  # noqa: E402

torch.set_num_threads(1)


# ---- the SR notes' networks (attribute names as in the notes' code) --------------------------------------

class GeneratorESPCN(nn.Module):
    def __init__(self, channels, upscale):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(3, channels, kernel_size=5, padding='same'), nn.LeakyReLU(0.1),
            nn.Conv2d(channels, channels, kernel_size=3, padding='same'), nn.LeakyReLU(0.1))
        self.pixel_shuffle = nn.Sequential(nn.Conv2d(channels, 3 * upscale ** 2, kernel_size=3, padding='same'), nn.PixelShuffle(upscale))

    def forward(self, x):
        return self.pixel_shuffle(self.layers(x))


class DenseResidualBlock(nn.Module):
    def __init__(self, channels, res_scale=0.2, layers=5):
        super().__init__()
        self.res_scale = res_scale
        # The notes keep the stages in a ParameterList; modules appended to it register as submodules "0", "1", ...
        self.blocks = nn.ParameterList([nn.Sequential(nn.Conv2d(i * channels, channels, 3, padding='same'), nn.LeakyReLU(0.1)) for i in range(1, layers)])
        self.last_conv = nn.Conv2d(layers * channels, channels, 3, padding='same')

    def forward(self, x):
        inputs = x
        for block in self.blocks:
            inputs = torch.cat([inputs, block(inputs)], 1)
        return x + self.last_conv(inputs) * self.res_scale


class MyDilatedBlock(nn.Module):
    def __init__(self, channels, res_scale=0.2):
        super().__init__()
        self.res_scale = res_scale
        self.layers = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1), nn.LeakyReLU(0.1),
            nn.Conv2d(channels, channels, 3, dilation=2, padding=2), nn.LeakyReLU(0.1),
            nn.Conv2d(channels, channels, 3, dilation=4, padding=4), nn.LeakyReLU(0.1),
            nn.Conv2d(channels, channels, 1))

    def forward(self, x):
        return x + self.layers(x) * self.res_scale


class MyResidualInResidualDenseBlock(nn.Module):
    def __init__(self, filters, res_scale=0.2, dr_layers=5):
        super().__init__()
        self.res_scale = res_scale
        self.dense_blocks = nn.Sequential(*[m for _ in range(3) for m in (MyDilatedBlock(filters), DenseResidualBlock(filters, layers=dr_layers))])

    def forward(self, x):
        return x + self.dense_blocks(x) * self.res_scale


class GeneratorRRDBx2(nn.Module):
    """The notes' final generator, with the tail's 64 channels and the x2 factor as arguments."""

    def __init__(self, channels=64, num_res_blocks=16, upscale=2, head_channels=64, dr_layers=3):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(3, channels, kernel_size=5, padding='same'),
            *[MyResidualInResidualDenseBlock(channels, dr_layers=dr_layers) for _ in range(num_res_blocks)],
            nn.Conv2d(channels, channels * 2, 3, padding='same'), nn.LeakyReLU(0.1),
            nn.Conv2d(channels * 2, head_channels * upscale ** 2, 1, padding='same'), nn.LeakyReLU(0.1),
            nn.PixelShuffle(upscale),
            nn.Conv2d(head_channels, head_channels, 3, padding='same'), nn.LeakyReLU(0.1),
            nn.Conv2d(head_channels, 3, 3, padding='same'))

    def forward(self, x):
        return self.layers(x)


class DiscriminatorDilationNetwork(nn.Module):
    def __init__(self, mid_channels):
        super().__init__()
        m = mid_channels

        def conv(i, o, k=3):
            return nn.Sequential(nn.Conv2d(i, o, k, padding='same', bias=False), nn.BatchNorm2d(o), nn.LeakyReLU(0.1))

        def dilated(i, o, d):
            return nn.Sequential(nn.Conv2d(i, o, 3, dilation=d, padding=d, bias=False), nn.BatchNorm2d(o), nn.LeakyReLU(0.1))

        self.layers = nn.Sequential(
            conv(3, m, 5), conv(m, m), nn.MaxPool2d(2),
            conv(m, 2 * m), conv(2 * m, 2 * m), nn.MaxPool2d(2),
            conv(2 * m, 4 * m), conv(4 * m, 4 * m), nn.MaxPool2d(2),
            conv(4 * m, 8 * m), dilated(8 * m, 8 * m, 2), dilated(8 * m, 8 * m, 4), conv(8 * m, 8 * m),
            conv(8 * m, 16 * m, 1), conv(16 * m, m, 1), nn.Conv2d(m, 1, 1))

    def forward(self, y):
        return self.layers(y)


# ---- BasicSR / Real-ESRGAN architectures (names as in their checkpoints) ---------------------------------

class ResidualDenseBlock(nn.Module):
    def __init__(self, num_feat=64, num_grow_ch=32):
        super().__init__()
        g = num_grow_ch
        self.conv1 = nn.Conv2d(num_feat, g, 3, 1, 1)
        self.conv2 = nn.Conv2d(num_feat + g, g, 3, 1, 1)
        self.conv3 = nn.Conv2d(num_feat + 2 * g, g, 3, 1, 1)
        self.conv4 = nn.Conv2d(num_feat + 3 * g, g, 3, 1, 1)
        self.conv5 = nn.Conv2d(num_feat + 4 * g, num_feat, 3, 1, 1)

    def forward(self, x):
        a = lambda t: F.leaky_relu(t, 0.2)  # noqa: E731
        x1 = a(self.conv1(x))
        x2 = a(self.conv2(torch.cat((x, x1), 1)))
        x3 = a(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = a(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, num_feat, num_grow_ch=32):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb2 = ResidualDenseBlock(num_feat, num_grow_ch)
        self.rdb3 = ResidualDenseBlock(num_feat, num_grow_ch)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    def __init__(self, num_in_ch, num_out_ch, scale=4, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.scale = scale
        if scale == 2:
            num_in_ch *= 4
        elif scale == 1:
            num_in_ch *= 16
        self.conv_first = nn.Conv2d(num_in_ch, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, num_out_ch, 3, 1, 1)

    def forward(self, x):
        feat = F.pixel_unshuffle(x, 2) if self.scale == 2 else F.pixel_unshuffle(x, 4) if self.scale == 1 else x
        feat = self.conv_first(feat)
        feat = feat + self.conv_body(self.body(feat))
        feat = F.leaky_relu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode='nearest')), 0.2)
        feat = F.leaky_relu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode='nearest')), 0.2)
        return self.conv_last(F.leaky_relu(self.conv_hr(feat), 0.2))


class UNetDiscriminatorSN(nn.Module):
    def __init__(self, num_in_ch, num_feat=64, skip_connection=True):
        super().__init__()
        self.skip_connection = skip_connection
        sn = nn.utils.spectral_norm
        f = num_feat
        self.conv0 = nn.Conv2d(num_in_ch, f, 3, 1, 1)
        self.conv1 = sn(nn.Conv2d(f, f * 2, 4, 2, 1, bias=False))
        self.conv2 = sn(nn.Conv2d(f * 2, f * 4, 4, 2, 1, bias=False))
        self.conv3 = sn(nn.Conv2d(f * 4, f * 8, 4, 2, 1, bias=False))
        self.conv4 = sn(nn.Conv2d(f * 8, f * 4, 3, 1, 1, bias=False))
        self.conv5 = sn(nn.Conv2d(f * 4, f * 2, 3, 1, 1, bias=False))
        self.conv6 = sn(nn.Conv2d(f * 2, f, 3, 1, 1, bias=False))
        self.conv7 = sn(nn.Conv2d(f, f, 3, 1, 1, bias=False))
        self.conv8 = sn(nn.Conv2d(f, f, 3, 1, 1, bias=False))
        self.conv9 = nn.Conv2d(f, 1, 3, 1, 1)

    def forward(self, x):
        a = lambda t: F.leaky_relu(t, 0.2)  # noqa: E731
        up = lambda t: F.interpolate(t, scale_factor=2, mode='bilinear', align_corners=False)  # noqa: E731
        x0 = a(self.conv0(x))
        x1 = a(self.conv1(x0))
        x2 = a(self.conv2(x1))
        x3 = a(self.conv3(x2))
        x4 = a(self.conv4(up(x3)))
        if self.skip_connection:
            x4 = x4 + x2
        x5 = a(self.conv5(up(x4)))
        if self.skip_connection:
            x5 = x5 + x1
        x6 = a(self.conv6(up(x5)))
        if self.skip_connection:
            x6 = x6 + x0
        out = a(self.conv7(x6))
        out = a(self.conv8(out))
        return self.conv9(out)


# ---- VGG (torchvision's layout, written out: torchvision is not installed here) ---------------------------

VGG16_CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M']
VGG19_CFG = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M']


class VGGFeatures(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        layers, c = [], 3
        for v in cfg:
            if v == 'M':
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(c, v, 3, padding=1), nn.ReLU(inplace=True)]
                c = v
        self.features = nn.Sequential(*layers)

    def extract(self, x, indices):
        outs, h = [], x
        for i in range(max(indices) + 1):
            layer = self.features[i]
            # clone before an in-place ReLU so the kept conv output stays pre-activation
            h = layer(h.clone() if isinstance(layer, nn.ReLU) else h)
            if i in indices:
                outs.append(h)
        return outs


MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def halve_linear_light(x, gamma=2.2):
    return F.avg_pool2d(x.clamp(1e-6, 1.0) ** gamma, 2) ** (1.0 / gamma)


def perceptual(vgg, out, target, layers, weights, distance, half_weight):
    def at_scale(o, t):
        fo = vgg.extract((o - MEAN) / STD, layers)
        with torch.no_grad():
            ft = vgg.extract((t - MEAN) / STD, layers)
        d = F.l1_loss if distance == 'l1' else F.mse_loss
        return sum(w * d(a, b) for w, a, b in zip(weights, fo, ft))

    loss = at_scale(out, target)
    if half_weight:
        loss = loss + half_weight * at_scale(halve_linear_light(out), halve_linear_light(target))
    return loss


def gram(f):
    n, c, h, w = f.shape
    f = f.reshape(n, c, h * w)
    return f @ f.transpose(1, 2) / (c * h * w)


def gram_loss(vgg, out, target, layers, weights):
    fo = vgg.extract((out - MEAN) / STD, layers)
    with torch.no_grad():
        ft = vgg.extract((target - MEAN) / STD, layers)
    return sum(w * F.l1_loss(gram(a), gram(b)) for w, a, b in zip(weights, fo, ft))


# ---- GAN losses --------------------------------------------------------------------------------------------

bce = nn.BCEWithLogitsLoss()


def gan_losses(real, fake):
    """(critic loss, generator loss) per loss kind, written from the papers and the notes."""
    ones, zeros = torch.ones_like, torch.zeros_like
    out = {}
    out['bce'] = ((bce(real, ones(real)) + bce(fake, zeros(fake))) / 2, bce(fake, ones(fake)))
    # ESRGAN's relativistic average GAN (BasicSR's formulation)
    rf, fr = real - fake.mean(), fake - real.mean()
    out['relativistic_average'] = ((bce(rf, ones(rf)) + bce(fr, zeros(fr))) / 2, (bce(rf, zeros(rf)) + bce(fr, ones(fr))) / 2)
    # pairwise: the notes' loss_for_discriminator (diff = D(fake) - D(real) -> 0)
    d = fake - real
    out['relativistic'] = (bce(d, zeros(d)), bce(d, ones(d)))
    # the notes' generator variant, verbatim: no reward where the fake already scores above the real image
    pred_y, pred_label = fake, real
    y_more_real = pred_y > pred_label
    diff = y_more_real * 9000 + ~y_more_real * (pred_y - pred_label)
    out['nonrewarding'] = (bce(d, zeros(d)), bce(diff, torch.ones(size=diff.size())))
    return out


# ---- driver ------------------------------------------------------------------------------------------------

tensors, cases = {}, []


def randomize_bn(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.3, 0.3)
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(7)


def module_case(name, model, x, train, grads_of_params=True, seed=0):
    torch.manual_seed(seed)
    model.train(train)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    for k, v in state.items():
        tensors[f'{name}/state/{k}'] = v
    x = x.clone().requires_grad_(True)
    out = model(x)
    gout = torch.randn_like(out)
    (out * gout).sum().backward()
    tensors[f'{name}/in0'] = x.detach()
    tensors[f'{name}/out'] = out.detach()
    tensors[f'{name}/gout'] = gout
    tensors[f'{name}/grad/in0'] = x.grad
    if grads_of_params:
        for k, p in model.named_parameters():
            if p.grad is not None:
                tensors[f'{name}/grad/param/{k}'] = p.grad
    for k, v in model.state_dict().items():
        tensors[f'{name}/after/{k}'] = v.detach().clone()
    cases.append({'name': name, 'keys': list(state.keys()), 'train': train})


def main(outdir):
    torch.manual_seed(1234)
    module_case('espcn', GeneratorESPCN(16, 3), torch.rand(2, 3, 7, 9), train=True)
    module_case('rrdb_block', RRDB(16, 8), torch.randn(2, 16, 6, 7), train=True)
    module_case('rrdb_net_x4', RRDBNet(3, 3, 4, num_feat=16, num_block=2, num_grow_ch=8), torch.rand(1, 3, 6, 5), train=True)
    module_case('rrdb_net_x2', RRDBNet(3, 3, 2, num_feat=8, num_block=1, num_grow_ch=4), torch.rand(1, 3, 8, 6), train=True)
    module_case('dilated_rrdb_block', MyResidualInResidualDenseBlock(8, dr_layers=3), torch.randn(2, 8, 11, 10), train=True)
    module_case('dilated_rrdb_net', GeneratorRRDBx2(channels=8, num_res_blocks=2, upscale=2, head_channels=16), torch.rand(1, 3, 9, 8), train=True)
    for train in (True, False):
        d = DiscriminatorDilationNetwork(4)
        randomize_bn(d)
        module_case(f'disc_dilation_{"train" if train else "eval"}', d, torch.rand(2, 3, 36, 32), train=train)
    for train in (True, False):
        u = UNetDiscriminatorSN(3, num_feat=8)
        u.train()
        with torch.no_grad():  # a few power iterations so u, v are not the initial random vectors
            for _ in range(3):
                u(torch.rand(1, 3, 16, 16))
        module_case(f'unet_disc_{"train" if train else "eval"}', u, torch.rand(2, 3, 24, 16), train=train)

    # VGG16: features at every conv (before ReLU), perceptual and gram losses on the same random weights.
    full_keys = {name: [[k, list(v.shape)] for k, v in VGGFeatures(cfg).state_dict().items()] for name, cfg in (('vgg16', VGG16_CFG), ('vgg19', VGG19_CFG))}
    vgg = VGGFeatures(VGG16_CFG)
    vgg.features = vgg.features[:23]  # up to conv4_3's ReLU: the layers the losses below use, a quarter of the weights
    for p in vgg.parameters():
        p.requires_grad_(False)
    vgg.eval()
    for k, v in vgg.state_dict().items():
        tensors[f'vgg16/state/{k}'] = v
    convs = [i for i, m in enumerate(vgg.features) if isinstance(m, nn.Conv2d)]
    x = torch.rand(1, 3, 32, 32, requires_grad=True)
    feats = vgg.extract((x - MEAN) / STD, convs)
    gouts = [torch.randn_like(f) for f in feats]
    sum((f * g).sum() for f, g in zip(feats, gouts)).backward()
    tensors['vgg16_features/in0'] = x.detach()
    tensors['vgg16_features/grad/in0'] = x.grad
    for i, (f, g) in enumerate(zip(feats, gouts)):
        tensors[f'vgg16_features/out/{i}'] = f.detach()
        tensors[f'vgg16_features/gout/{i}'] = g
    loss_cases = []
    target = torch.rand(2, 3, 24, 20)
    output = (target + 0.1 * torch.randn_like(target)).clamp(-0.05, 1.05)  # a few values outside [0, 1], as generators give
    specs = [
        ('perceptual_notes_mse', dict(kind='perceptual', layers=[0, 2, 5, 7, 10, 12, 14], weights=[1.0] * 7, distance='mse', half=0.0)),
        ('perceptual_l1_weighted_half', dict(kind='perceptual', layers=[2, 7, 14, 21], weights=[0.1, 0.1, 1.0, 1.0], distance='l1', half=0.5)),
        ('gram_fastai', dict(kind='gram', layers=[2, 7, 14], weights=[5.0, 15.0, 2.0])),
    ]
    for name, s in specs:
        o = output.clone().requires_grad_(True)
        if s['kind'] == 'perceptual':
            loss = perceptual(vgg, o, target, s['layers'], s['weights'], s['distance'], s['half'])
        else:
            loss = gram_loss(vgg, o, target, s['layers'], s['weights'])
        loss.backward()
        tensors[f'{name}/output'] = output
        tensors[f'{name}/target'] = target
        tensors[f'{name}/loss'] = loss.detach().reshape(1)
        tensors[f'{name}/grad/output'] = o.grad
        loss_cases.append({'name': name, **s})

    # GAN losses: per-pixel scores with ties and large margins; gradients w.r.t. both score tensors.
    real = torch.randn(2, 1, 4, 5) * 2
    fake = torch.randn(2, 1, 4, 5) * 2
    fake[0, 0, 0, :2] = real[0, 0, 0, :2]  # ties: not "more real", so the difference is used
    fake[1, 0, 3, 4] = real[1, 0, 3, 4] + 30  # saturated side
    tensors['gan/real'] = real
    tensors['gan/fake'] = fake
    gan_names = []
    for which, idx in (('critic', 0), ('generator', 1)):
        r = real.clone().requires_grad_(True)
        f = fake.clone().requires_grad_(True)
        for kind, pair in gan_losses(r, f).items():
            r.grad = None
            f.grad = None
            loss = pair[idx]
            loss.backward(retain_graph=True)
            key = f'gan/{kind}/{which}'
            tensors[f'{key}/loss'] = loss.detach().reshape(1)
            tensors[f'{key}/grad/real'] = r.grad.clone() if r.grad is not None else torch.zeros_like(real)
            tensors[f'{key}/grad/fake'] = f.grad.clone() if f.grad is not None else torch.zeros_like(fake)
            gan_names.append(key)

    save(os.path.join(outdir, 'sr.safetensors'), tensors,
         metadata={'cases': json.dumps(cases), 'losses': json.dumps(loss_cases), 'gan': json.dumps(gan_names), 'vgg_keys': json.dumps(full_keys)})


if __name__ == '__main__':
    main(sys.argv[1])
