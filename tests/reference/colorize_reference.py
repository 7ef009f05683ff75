"""Expected results for the colorization parity tests (tests/Workbench.Tests/Models/*Tests.cs, Losses/BlurredUvLossTests.cs).

  colorize_reference.py OUT   writes OUT/colorize.safetensors. For each case NAME:
      NAME/state/KEY      the state_dict C# loads with strict=True (randomized BatchNorm statistics and affine
                          parameters, self-attention gamma, so no part of the network is an identity)
      NAME/in0, NAME/in1  inputs
      NAME/eval           output in eval mode
      NAME/train, NAME/gout, NAME/grad_in0   output in training mode (batch statistics, one power iteration),
                          a random weight g and the gradient of sum(train * g) with respect to in0
      NAME/after/KEY      the state after the training forward (running statistics, spectral norm u/v)
  The networks are written here from their descriptions (fastai v1 / DeOldify / torchvision layouts):
  neither fastai nor torchvision is installed, so the state_dict keys are checked against these layouts.
"""
import copy
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io

torch.set_num_threads(1)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


# ---- torchvision's ResNet layout -------------------------------------------------------------
class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU()
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, layers, num_classes=1000, width=64):
        super().__init__()
        self.inplanes = width
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU()
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._stage(width, layers[0], 1)
        self.layer2 = self._stage(width * 2, layers[1], 2)
        self.layer3 = self._stage(width * 4, layers[2], 2)
        self.layer4 = self._stage(width * 8, layers[3], 2)
        if num_classes:
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(width * 8, num_classes)

    def _stage(self, planes, blocks, stride):
        down = None
        if stride != 1 or self.inplanes != planes:
            down = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, down)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def features(self, x):
        stem = self.relu(self.bn1(self.conv1(x)))
        l1 = self.layer1(self.maxpool(stem))
        l2 = self.layer2(l1)
        l3 = self.layer3(l2)
        l4 = self.layer4(l3)
        return [stem, l1, l2, l3, l4]

    def forward(self, x):
        return self.fc(torch.flatten(self.avgpool(self.features(x)[-1]), 1))


# ---- fastai v1 / DeOldify building blocks -----------------------------------------------------
class SelfAttention(nn.Module):
    def __init__(self, n):
        super().__init__()
        def proj(ni, no):
            c = nn.Conv1d(ni, no, 1, bias=False)
            nn.init.kaiming_normal_(c.weight)
            return nn.utils.spectral_norm(c)
        self.query, self.key, self.value = proj(n, n // 8), proj(n, n // 8), proj(n, n)
        self.gamma = nn.Parameter(torch.tensor([0.]))

    def forward(self, x):
        size = x.size()
        x = x.view(*size[:2], -1)
        f, g, h = self.query(x), self.key(x), self.value(x)
        beta = F.softmax(torch.bmm(f.permute(0, 2, 1).contiguous(), g), dim=1)
        return (self.gamma * torch.bmm(h, beta) + x).view(*size).contiguous()


def conv_layer(ni, nf, ks=3, stride=1, padding=None, bias=None, spectral=True, extra_bn=False, use_activ=True, leaky=None, self_attention=False):
    """DeOldify's custom_conv_layer (fastai's conv_layer when extra_bn is False)."""
    padding = (ks - 1) // 2 if padding is None else padding
    bn = (not spectral) or extra_bn
    bias = (not bn) if bias is None else bias
    conv = nn.Conv2d(ni, nf, ks, stride=stride, padding=padding, bias=bias)
    nn.init.kaiming_normal_(conv.weight)
    if conv.bias is not None:
        conv.bias.data.zero_()
    layers = [nn.utils.spectral_norm(conv) if spectral else conv]
    if use_activ:
        layers.append(nn.LeakyReLU(leaky) if leaky is not None else nn.ReLU())
    if bn:
        layers.append(nn.BatchNorm2d(nf))
    if self_attention:
        layers.append(SelfAttention(nf))
    return nn.Sequential(*layers)


class PixelShuffleICNR(nn.Module):
    def __init__(self, ni, nf=None, blur=False, spectral=True, extra_bn=False):
        super().__init__()
        nf = ni if nf is None else nf
        self.conv = conv_layer(ni, nf * 4, ks=1, spectral=spectral, extra_bn=extra_bn, use_activ=False)
        self.shuf = nn.PixelShuffle(2)
        self.pad = nn.ReplicationPad2d((1, 0, 1, 0))
        self.blur = nn.AvgPool2d(2, stride=1)
        self.relu = nn.ReLU()
        self.do_blur = blur

    def forward(self, x):
        x = self.shuf(self.relu(self.conv(x)))
        return self.blur(self.pad(x)) if self.do_blur else x


def match(x, s):
    return x if x.shape[-2:] == s.shape[-2:] else F.interpolate(x, s.shape[-2:], mode="nearest")


class UnetBlockWide(nn.Module):
    def __init__(self, up_in_c, x_in_c, n_out, blur=False, self_attention=False, spectral=True):
        super().__init__()
        up_out = n_out // 2
        self.shuf = PixelShuffleICNR(up_in_c, up_out, blur=blur, spectral=spectral, extra_bn=spectral)
        self.bn = nn.BatchNorm2d(x_in_c)
        self.conv = conv_layer(up_out + x_in_c, up_out, spectral=spectral, extra_bn=spectral, self_attention=self_attention)
        self.relu = nn.ReLU()
        self.out_c = up_out

    def forward(self, up_in, s):
        up = match(self.shuf(up_in), s)
        return self.conv(self.relu(torch.cat([up, self.bn(s)], dim=1)))


class UnetBlockDeep(nn.Module):
    def __init__(self, up_in_c, x_in_c, final_div=True, blur=False, self_attention=False, nf_factor=1.0, spectral=True):
        super().__init__()
        self.shuf = PixelShuffleICNR(up_in_c, up_in_c // 2, blur=blur, spectral=spectral, extra_bn=spectral)
        self.bn = nn.BatchNorm2d(x_in_c)
        ni = up_in_c // 2 + x_in_c
        nf = int((ni if final_div else ni // 2) * nf_factor)
        self.conv1 = conv_layer(ni, nf, spectral=spectral, extra_bn=spectral)
        self.conv2 = conv_layer(nf, nf, spectral=spectral, extra_bn=spectral, self_attention=self_attention)
        self.relu = nn.ReLU()
        self.out_c = nf

    def forward(self, up_in, s):
        up = match(self.shuf(up_in), s)
        return self.conv2(self.conv1(self.relu(torch.cat([up, self.bn(s)], dim=1))))


class ResBlock(nn.Module):
    def __init__(self, nf, spectral=True):
        super().__init__()
        self.layers = nn.ModuleList([conv_layer(nf, nf, spectral=spectral), conv_layer(nf, nf, spectral=spectral)])

    def forward(self, x):
        return self.layers[1](self.layers[0](x)) + x


class Merge(nn.Module):
    pass


class DynamicUnet(nn.Module):
    """DeOldify's DynamicUnetWide/Deep over a ResNet cut at children()[:8], as a SequentialEx ("layers.N")."""

    def __init__(self, resnet, n_out=3, blocks="wide", nf_factor=1.0, blur=True, self_attention=True, y_range=(-3., 3.)):
        super().__init__()
        enc = nn.Sequential(*list(resnet.children())[:8])
        w = resnet.layer1[0].conv1.in_channels
        skip_c = [w * 4, w * 2, w, w]
        ni = w * 8
        nf = int(512 * nf_factor)
        layers = [enc, nn.BatchNorm2d(ni), nn.ReLU(), nn.Sequential(conv_layer(ni, ni * 2, extra_bn=True), conv_layer(ni * 2, ni, extra_bn=True))]
        up = ni
        for i in range(4):
            not_final = i != 3
            sa = self_attention and i == 1
            if blocks == "wide":
                b = UnetBlockWide(up, skip_c[i], nf if not_final else nf // 2, blur=blur, self_attention=sa)
            else:
                b = UnetBlockDeep(up, skip_c[i], final_div=not_final, blur=blur, self_attention=sa, nf_factor=nf_factor)
            layers.append(b)
            up = b.out_c
        layers.append(PixelShuffleICNR(up))
        layers.append(Merge())
        layers.append(ResBlock(up + 3))
        layers.append(conv_layer(up + 3, n_out, ks=1, use_activ=False))
        self.layers = nn.ModuleList(layers)
        self.y_range = y_range

    def forward(self, x):
        x0 = (x - MEAN) / STD
        h, skips = x0, {}
        for i, m in enumerate(self.layers[0]):
            h = m(h)
            if i in (6, 5, 4, 2):
                skips[i] = h
        h = self.layers[3](self.layers[2](self.layers[1](h)))
        for k, i in enumerate((6, 5, 4, 2)):
            h = self.layers[4 + k](h, skips[i])
        h = match(self.layers[8](h), x0)
        h = self.layers[10](torch.cat([h, x0], dim=1))
        h = self.layers[11](h)
        lo, hi = self.y_range
        h = torch.sigmoid(h) * (hi - lo) + lo
        return h * STD + MEAN


def gan_critic(n_channels=3, nf=256, n_blocks=3, p=0.15):
    """DeOldify's custom_gan_critic (fastai gan_critic with LeakyReLU 0.2 and spectral norm)."""
    def c(ni, nf, ks, stride, **kw):
        return conv_layer(ni, nf, ks=ks, stride=stride, leaky=0.2, **kw)
    layers = [c(n_channels, nf, 4, 2), nn.Dropout2d(p / 2)]
    for i in range(n_blocks):
        layers += [c(nf, nf, 3, 1), nn.Dropout2d(p), c(nf, nf * 2, 4, 2, self_attention=(i == 0))]
        nf *= 2
    layers += [c(nf, nf, 3, 1), c(nf, 1, 4, 1, padding=0, bias=False, use_activ=False), nn.Flatten()]
    return nn.Sequential(*layers)


class Critic(nn.Sequential):
    def __init__(self, **kw):
        super().__init__(*gan_critic(**kw))

    def forward(self, x):
        return super().forward((x - MEAN) / STD)


# ---- the lecture's loss ------------------------------------------------------------------------
def gaussian_blur(img, k):
    """torchvision's gaussian_blur (sigma 0.15k + 0.35, reflect padding) written out."""
    sigma = 0.15 * k + 0.35
    x = torch.linspace(-(k - 1) * 0.5, (k - 1) * 0.5, k)
    pdf = torch.exp(-0.5 * (x / sigma).pow(2))
    k1 = pdf / pdf.sum()
    c = img.shape[1]
    kernel = (k1[:, None] * k1[None, :]).expand(c, 1, k, k)
    return F.conv2d(F.pad(img, [k // 2] * 4, mode="reflect"), kernel, groups=c)


def blurred_uv_loss(pred, target):
    d = lambda a, b: F.mse_loss(a, b)
    return (d(pred, target) + d(gaussian_blur(pred, 3), gaussian_blur(target, 3)) + d(gaussian_blur(pred, 5), gaussian_blur(target, 5))) / 3


# ---- cases -------------------------------------------------------------------------------------
def randomize(module, g):
    with torch.no_grad():
        for name, m in module.named_modules():
            if isinstance(m, nn.BatchNorm2d):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(m.running_mean.shape, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.running_var.shape, generator=g) + 0.5)
            if isinstance(m, SelfAttention):
                m.gamma.fill_(0.7)


def run_case(out, name, model, inputs, g, train=True, grad=True):
    randomize(model, g)
    reference64 = copy.deepcopy(model).double()
    for k, v in model.state_dict().items():
        out[f"{name}/state/{k}"] = v.clone()
    for i, x in enumerate(inputs):
        out[f"{name}/in{i}"] = x.clone()
    model.eval()
    with torch.no_grad():
        out[f"{name}/eval"] = model(*inputs).clone()
    # The same in float64: the float32 results' own rounding error (this CPU, this thread count) sets the C# side's
    # tolerance, so that deep networks are not held to one absolute 1e-5 (PyTorch's gradcheck compares to float64 too).
    reference64.eval()
    with torch.no_grad():
        out[f"{name}/eval64"] = reference64(*[x.double() for x in inputs])
    if not train:
        return
    model.train()
    x0 = inputs[0].clone().requires_grad_(grad)
    y = model(x0, *inputs[1:])
    out[f"{name}/train"] = y.detach().clone()
    if grad:
        gout = torch.randn(y.shape, generator=g)
        (y * gout).sum().backward()
        out[f"{name}/gout"] = gout
        out[f"{name}/grad_in0"] = x0.grad.clone()
    for k, v in model.state_dict().items():
        out[f"{name}/after/{k}"] = v.clone()
    reference64.train()
    x64 = inputs[0].double().requires_grad_(grad)
    y64 = reference64(x64, *[x.double() for x in inputs[1:]])
    out[f"{name}/train64"] = y64.detach().clone()
    if grad:
        (y64 * gout.double()).sum().backward()
        out[f"{name}/grad_in0_64"] = x64.grad.clone()


def main(outdir):
    g = torch.Generator().manual_seed(1234)
    out = {}
    torch.manual_seed(0)

    # torchvision's ResNet-34 (ImageNet layout, 1000 classes): features at each stage and the logits, eval mode.
    r = ResNet([3, 4, 6, 3])
    randomize(r, g)
    r.eval()
    x = torch.rand(2, 3, 64, 64, generator=g)
    for k, v in r.state_dict().items():
        out[f"resnet34/state/{k}"] = v.clone()
    out["resnet34/in0"] = x
    r64 = copy.deepcopy(r).double()
    with torch.no_grad():
        for i, (f, f64) in enumerate(zip(r.features(x), r64.features(x.double()))):
            out[f"resnet34/feature{i}"] = f.clone()
            out[f"resnet34/feature{i}64"] = f64.clone()
        out["resnet34/eval"] = r(x)
        out["resnet34/eval64"] = r64(x.double())

    run_case(out, "shuffle", PixelShuffleICNR(16, 8, blur=True, extra_bn=True), [torch.randn(2, 16, 5, 7, generator=g)], g)
    run_case(out, "block_wide", UnetBlockWide(32, 16, 32, blur=True, self_attention=True),
             [torch.randn(2, 32, 4, 5, generator=g), torch.randn(2, 16, 7, 9, generator=g)], g)
    run_case(out, "block_deep", UnetBlockDeep(32, 16, final_div=False, blur=False, self_attention=True, nf_factor=1.5),
             [torch.randn(2, 32, 4, 5, generator=g), torch.randn(2, 16, 8, 10, generator=g)], g)
    run_case(out, "unet_wide", DynamicUnet(ResNet([2, 2, 2, 2], 0, width=8), blocks="wide", nf_factor=0.125),
             [torch.rand(2, 3, 64, 64, generator=g)], g)
    run_case(out, "unet_wide_odd", DynamicUnet(ResNet([2, 2, 2, 2], 0, width=8), blocks="wide", nf_factor=0.125),
             [torch.rand(1, 3, 40, 56, generator=g)], g)
    run_case(out, "unet_deep", DynamicUnet(ResNet([3, 4, 6, 3], 0, width=8), blocks="deep", nf_factor=1.0),
             [torch.rand(2, 3, 64, 64, generator=g)], g)
    run_case(out, "critic", Critic(nf=16, n_blocks=3), [torch.rand(2, 3, 80, 80, generator=g)], g, train=False)

    pred = torch.rand(2, 2, 16, 16, generator=g).requires_grad_(True)
    target = torch.rand(2, 2, 16, 16, generator=g)
    loss = blurred_uv_loss(pred, target)
    loss.backward()
    out["uvloss/pred"], out["uvloss/target"] = pred.detach().clone(), target
    out["uvloss/loss"], out["uvloss/grad"] = loss.detach().reshape(1), pred.grad.clone()
    safetensors_io.save(f"{outdir}/colorize.safetensors", out)


if __name__ == "__main__":
    main(sys.argv[1])
