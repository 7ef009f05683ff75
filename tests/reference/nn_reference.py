"""Expected results for the nn parity suite (tests/Workbench.Torch.Tests/nn/NnParityTests.cs).

  nn_reference.py OUT   writes OUT/nn.safetensors. For each MODULE case NAME:
                          NAME/init/KEY    state_dict right after construction under torch.manual_seed(seed)
                                           (C# builds the same module under the same seed: default init must match)
                          NAME/state/KEY   the state C# loads with load_state_dict(strict=True) (init, then randomized
                                           where the defaults are too regular, e.g. BatchNorm's affine parameters)
                          NAME/in0, ...    inputs; floating ones require grad
                          NAME/out, NAME/gout   output and a random weight g; gradients are of sum(out * g)
                          NAME/grad/in0, NAME/grad/PARAM   gradients of the inputs and parameters
                          NAME/after/KEY   state_dict after the forward (running stats, spectral norm's u and v)
                          NAME/attr/NAME   plain tensor attributes after the forward (spectral norm's weight)
                        For each FUNCTIONAL case NAME: NAME/in0.., NAME/out, NAME/gout, NAME/grad/in0..
                        Metadata: "modules" and "functional", JSON lists of case descriptions.
"""
import json
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

import safetensors_io


# ---- input makers (each takes a torch.Generator) -------------------------------------------
def randn(*s, scale=1.0): return lambda g: torch.randn(*s, generator=g) * scale
def rand(*s, lo=0.0, hi=1.0): return lambda g: torch.rand(*s, generator=g) * (hi - lo) + lo
def ints(lo, hi, *s): return lambda g: torch.randint(lo, hi, s, generator=g)
def const(t): return lambda g: t.clone()


def case_seed(name): return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ---- fastai v1's SAGAN self-attention (DeOldify's), written out -----------------------------
def sa_conv1d(ni, no):
    conv = nn.Conv1d(ni, no, 1, stride=1, padding=0, bias=False)
    nn.init.kaiming_normal_(conv.weight)
    return nn.utils.spectral_norm(conv)


class SelfAttention(nn.Module):
    def __init__(self, n_channels):
        super().__init__()
        self.query = sa_conv1d(n_channels, n_channels // 8)
        self.key = sa_conv1d(n_channels, n_channels // 8)
        self.value = sa_conv1d(n_channels, n_channels)
        self.gamma = nn.Parameter(torch.tensor([0.]))

    def forward(self, x):
        size = x.size()
        x = x.view(*size[:2], -1)
        f, g, h = self.query(x), self.key(x), self.value(x)
        beta = F.softmax(torch.bmm(f.permute(0, 2, 1).contiguous(), g), dim=1)
        o = self.gamma * torch.bmm(h, beta) + x
        return o.view(*size).contiguous()


class Interpolate(nn.Module):
    """nn.Upsample has no antialias argument in 1.13; C# Upsample(antialias: true) is compared with this."""

    def __init__(self, **kw):
        super().__init__()
        self.kw = kw

    def forward(self, x):
        return F.interpolate(x, **self.kw)


class Composite(nn.Module):
    """A small model with nested names: stem (Sequential of Conv+BN+ReLU), blocks (ModuleList), head."""

    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU())
        self.blocks = nn.ModuleList([nn.Conv2d(8, 8, 3, padding=1), nn.Conv2d(8, 8, 1)])
        self.head = nn.Conv2d(8, 2, 1)

    def forward(self, x):
        x = self.stem(x)
        for b in self.blocks:
            x = F.leaky_relu(b(x), 0.2) + x
        return self.head(x)


# ---- randomizers: make defaults less regular so the test sees every parameter -------------------
def randomize_affine(m):
    with torch.no_grad():
        for mod in m.modules():
            if isinstance(mod, (nn.BatchNorm2d, nn.InstanceNorm2d, nn.GroupNorm, nn.LayerNorm)):
                if getattr(mod, "weight", None) is not None:
                    mod.weight.uniform_(0.5, 1.5)
                    mod.bias.uniform_(-0.5, 0.5)
                if getattr(mod, "running_mean", None) is not None:
                    mod.running_mean.uniform_(-0.5, 0.5)
                    mod.running_var.uniform_(0.5, 2.0)
                    mod.num_batches_tracked.fill_(3)


def randomize_prelu(m):
    with torch.no_grad():
        m.weight.uniform_(-0.5, 0.5)


def randomize_gamma(m):
    with torch.no_grad():
        m.gamma.fill_(0.7)


def converge_power_iteration(shape):
    """Train-mode forwards so u and v approach the singular vectors, as in a trained checkpoint. Eval with the
    random initial u, v divides by a tiny, ill-conditioned u·Wv and only measures rounding noise."""
    def run(m):
        g = torch.Generator().manual_seed(5)
        with torch.no_grad():
            for _ in range(10):
                m(torch.randn(*shape, generator=g))
    return run


def then(*fns):
    def run(m):
        for fn in fns:
            fn(m)
    return run


# name, build, inputs, options (train, seed_forward, randomize, attrs)
MODULES = [
    ("conv2d", lambda: nn.Conv2d(3, 8, 3, padding=1), [randn(2, 3, 9, 9)], {}),
    ("conv2d_stride_dilation_nobias", lambda: nn.Conv2d(4, 6, (3, 5), stride=2, padding=(2, 1), dilation=(2, 1), bias=False), [randn(2, 4, 11, 10)], {}),
    ("conv2d_groups", lambda: nn.Conv2d(4, 8, 3, groups=2), [randn(2, 4, 7, 6)], {}),
    ("conv2d_reflect", lambda: nn.Conv2d(3, 5, 3, padding=1, padding_mode="reflect"), [randn(2, 3, 8, 7)], {}),
    ("conv2d_replicate", lambda: nn.Conv2d(3, 5, 3, padding=(2, 1), padding_mode="replicate"), [randn(2, 3, 8, 7)], {}),
    ("conv2d_circular", lambda: nn.Conv2d(3, 5, 3, padding=1, padding_mode="circular"), [randn(2, 3, 8, 7)], {}),
    ("conv2d_same_even_kernel", lambda: nn.Conv2d(3, 4, 4, padding="same"), [randn(2, 3, 7, 8)], {}),
    ("conv2d_same_reflect_dilated", lambda: nn.Conv2d(3, 4, 3, padding="same", dilation=2, padding_mode="reflect"), [randn(1, 3, 9, 8)], {}),
    ("conv2d_valid", lambda: nn.Conv2d(3, 4, 3, padding="valid"), [randn(1, 3, 6, 6)], {}),
    ("conv1d", lambda: nn.Conv1d(4, 6, 3, padding=1), [randn(2, 4, 10)], {}),
    ("conv_transpose2d", lambda: nn.ConvTranspose2d(4, 3, 4, stride=2, padding=1), [randn(2, 4, 5, 6)], {}),
    ("conv_transpose2d_outpad_groups", lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2, bias=False), [randn(2, 4, 5, 5)], {}),
    ("linear", lambda: nn.Linear(10, 7), [randn(4, 10)], {}),
    ("linear_nobias_3d", lambda: nn.Linear(6, 3, bias=False), [randn(2, 5, 6)], {}),
    ("batchnorm2d_train", lambda: nn.BatchNorm2d(5), [randn(4, 5, 6, 6, scale=2.0)], {"randomize": randomize_affine}),
    ("batchnorm2d_train_cumulative", lambda: nn.BatchNorm2d(5, momentum=None), [randn(4, 5, 3, 3)], {"randomize": randomize_affine}),
    ("batchnorm2d_eval", lambda: nn.BatchNorm2d(5), [randn(4, 5, 6, 6)], {"randomize": randomize_affine, "train": False}),
    ("batchnorm2d_noaffine_nostats_eval", lambda: nn.BatchNorm2d(5, affine=False, track_running_stats=False), [randn(4, 5, 3, 3)], {"train": False}),
    ("batchnorm1d_train", lambda: nn.BatchNorm1d(6, eps=1e-3, momentum=0.3), [randn(8, 6)], {"randomize": randomize_affine}),
    ("instancenorm2d", lambda: nn.InstanceNorm2d(4), [randn(2, 4, 5, 6)], {}),
    ("instancenorm2d_affine_stats_train", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), [randn(2, 4, 5, 6)], {"randomize": randomize_affine}),
    ("instancenorm2d_affine_stats_eval", lambda: nn.InstanceNorm2d(4, affine=True, track_running_stats=True), [randn(2, 4, 5, 6)], {"randomize": randomize_affine, "train": False}),
    ("groupnorm", lambda: nn.GroupNorm(2, 6), [randn(3, 6, 4, 5)], {"randomize": randomize_affine}),
    ("layernorm", lambda: nn.LayerNorm([6, 5]), [randn(3, 4, 6, 5)], {"randomize": randomize_affine}),
    ("dropout_train", lambda: nn.Dropout(0.3), [randn(4, 50)], {"seed_forward": 1234}),
    ("dropout_eval", lambda: nn.Dropout(0.3), [randn(4, 50)], {"train": False}),
    ("dropout2d_train", lambda: nn.Dropout2d(0.5), [randn(4, 16, 3, 3)], {"seed_forward": 99}),
    ("relu", lambda: nn.ReLU(), [randn(3, 7)], {}),
    ("leaky_relu", lambda: nn.LeakyReLU(0.2), [randn(3, 7)], {}),
    ("prelu_channels", lambda: nn.PReLU(3), [randn(2, 3, 4, 4)], {"randomize": randomize_prelu}),
    ("sigmoid", lambda: nn.Sigmoid(), [randn(3, 7)], {}),
    ("tanh", lambda: nn.Tanh(), [randn(3, 7)], {}),
    ("silu", lambda: nn.SiLU(), [randn(3, 7)], {}),
    ("identity", lambda: nn.Identity(), [randn(3, 7)], {}),
    ("flatten", lambda: nn.Flatten(), [randn(2, 3, 4, 5)], {}),
    ("pixel_shuffle", lambda: nn.PixelShuffle(2), [randn(2, 8, 3, 4)], {}),
    ("pixel_unshuffle", lambda: nn.PixelUnshuffle(2), [randn(2, 2, 6, 4)], {}),
    ("upsample_nearest", lambda: nn.Upsample(scale_factor=2), [randn(1, 2, 4, 5)], {}),
    ("upsample_nearest_size", lambda: nn.Upsample(size=(7, 9)), [randn(1, 2, 4, 5)], {}),
    ("upsample_nearest_fractional", lambda: nn.Upsample(scale_factor=1.5), [randn(1, 2, 5, 7)], {}),
    ("upsample_bilinear", lambda: nn.Upsample(scale_factor=2, mode="bilinear"), [randn(1, 2, 4, 5)], {}),
    ("upsample_bilinear_align_corners", lambda: nn.Upsample(size=(9, 7), mode="bilinear", align_corners=True), [randn(1, 2, 4, 5)], {}),
    ("upsample_bicubic", lambda: nn.Upsample(scale_factor=3, mode="bicubic"), [randn(1, 2, 4, 5)], {}),
    ("upsample_bicubic_align_corners", lambda: nn.Upsample(size=(6, 11), mode="bicubic", align_corners=True), [randn(1, 2, 4, 5)], {}),
    ("upsample_bicubic_antialias_down", lambda: Interpolate(size=(5, 7), mode="bicubic", align_corners=False, antialias=True), [randn(1, 3, 16, 21)], {}),
    ("upsample_bilinear_antialias_down", lambda: Interpolate(scale_factor=0.25, mode="bilinear", align_corners=False, antialias=True), [randn(1, 3, 16, 20)], {}),
    ("maxpool2d", lambda: nn.MaxPool2d(2), [randn(2, 3, 6, 8)], {}),
    ("maxpool2d_ceil_padding", lambda: nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True), [randn(2, 3, 8, 7)], {}),
    ("avgpool2d", lambda: nn.AvgPool2d(2), [randn(2, 3, 6, 8)], {}),
    ("avgpool2d_no_pad_count", lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [randn(2, 3, 7, 8)], {}),
    ("adaptive_avgpool2d", lambda: nn.AdaptiveAvgPool2d((3, 2)), [randn(2, 3, 7, 5)], {}),
    ("adaptive_avgpool2d_global", lambda: nn.AdaptiveAvgPool2d(1), [randn(2, 3, 7, 5)], {}),
    ("embedding", lambda: nn.Embedding(10, 4, padding_idx=0), [ints(0, 10, 3, 5)], {}),
    ("sequential_conv_bn_relu", lambda: nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.Conv2d(8, 4, 1)), [randn(2, 3, 6, 6)],
     {"randomize": randomize_affine}),
    ("composite_modulelist", lambda: Composite(), [randn(2, 3, 5, 5)], {"randomize": randomize_affine}),
    ("spectral_norm_conv2d_train", lambda: nn.utils.spectral_norm(nn.Conv2d(3, 8, 3)), [randn(2, 3, 6, 6)], {"attrs": ["weight"]}),
    ("spectral_norm_conv2d_eval", lambda: nn.utils.spectral_norm(nn.Conv2d(3, 8, 3)), [randn(2, 3, 6, 6)],
     {"attrs": ["weight"], "train": False, "randomize": converge_power_iteration((2, 3, 6, 6))}),
    ("spectral_norm_linear_3_iterations", lambda: nn.utils.spectral_norm(nn.Linear(12, 5), n_power_iterations=3), [randn(4, 12)], {"attrs": ["weight"]}),
    ("spectral_norm_conv_transpose2d", lambda: nn.utils.spectral_norm(nn.ConvTranspose2d(4, 6, 3, stride=2)), [randn(2, 4, 4, 4)], {"attrs": ["weight"]}),
    ("self_attention_train", lambda: SelfAttention(16), [randn(2, 16, 5, 4)], {"randomize": randomize_gamma}),
    ("self_attention_eval", lambda: SelfAttention(16), [randn(2, 16, 5, 4)],
     {"randomize": then(randomize_gamma, converge_power_iteration((2, 16, 5, 4))), "train": False}),
]


def probs_and_onehot(n, c):
    def make(g):
        return torch.softmax(torch.randn(n, c, generator=g), 1)
    return make


def with_ignored(lo, hi, shape, ignore, every=4):
    def make(g):
        t = torch.randint(lo, hi, shape, generator=g)
        t.view(-1)[::every] = ignore
        return t
    return make


def gaussian_blur_reference(img, kernel_size, sigma):
    """torchvision.transforms.functional.gaussian_blur on a float tensor (torchvision is not installed here)."""
    def kernel1d(k, s):
        half = (k - 1) * 0.5
        x = torch.linspace(-half, half, steps=k)
        pdf = torch.exp(-0.5 * (x / s).pow(2))
        return pdf / pdf.sum()
    kx, ky = kernel_size
    sx, sy = sigma
    kernel = torch.mm(kernel1d(ky, sy)[:, None], kernel1d(kx, sx)[None, :])
    squeeze = img.dim() == 3
    if squeeze:
        img = img.unsqueeze(0)
    kernel = kernel.expand(img.shape[-3], 1, ky, kx)
    img = F.pad(img, [kx // 2, kx // 2, ky // 2, ky // 2], mode="reflect")
    out = F.conv2d(img, kernel, groups=img.shape[-3])
    return out.squeeze(0) if squeeze else out


GRID = randn(2, 5, 4, 2, scale=0.7)

# name, inputs, op, options (seed_forward)
FUNCTIONAL = [
    ("pad_constant", [randn(2, 3, 4, 5)], lambda x: F.pad(x, (1, 2, 0, 3), value=1.5)),
    ("pad_reflect", [randn(2, 3, 4, 5)], lambda x: F.pad(x, (2, 1, 3, 2), mode="reflect")),
    ("pad_replicate", [randn(2, 3, 4, 5)], lambda x: F.pad(x, (2, 1, 3, 2), mode="replicate")),
    ("pad_circular", [randn(2, 3, 4, 5)], lambda x: F.pad(x, (2, 1, 3, 2), mode="circular")),
    ("pad_negative_crop", [randn(2, 3, 6, 5)], lambda x: F.pad(x, (-1, 0, -2, 1))),
    ("interpolate_nearest_scale", [randn(1, 2, 4, 5)], lambda x: F.interpolate(x, scale_factor=2)),
    ("interpolate_nearest_down", [randn(1, 2, 9, 7)], lambda x: F.interpolate(x, size=(4, 3))),
    ("interpolate_nearest_exact", [randn(1, 2, 9, 7)], lambda x: F.interpolate(x, size=(4, 5), mode="nearest-exact")),
    ("interpolate_bilinear_fractional", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear")),
    ("interpolate_bilinear_recompute", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ("interpolate_bilinear_two_scales", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, scale_factor=(2.0, 0.5), mode="bilinear")),
    ("interpolate_bilinear_align_corners", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, size=(8, 3), mode="bilinear", align_corners=True)),
    ("interpolate_bicubic_scale", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, scale_factor=2, mode="bicubic")),
    ("interpolate_bicubic_align_corners", [randn(1, 2, 5, 6)], lambda x: F.interpolate(x, size=(9, 4), mode="bicubic", align_corners=True)),
    ("interpolate_bilinear_antialias", [randn(1, 3, 17, 23)], lambda x: F.interpolate(x, size=(6, 8), mode="bilinear", antialias=True)),
    ("interpolate_bicubic_antialias", [randn(1, 3, 17, 23)], lambda x: F.interpolate(x, scale_factor=0.3, mode="bicubic", antialias=True)),
    ("interpolate_bicubic_antialias_up", [randn(1, 3, 5, 4)], lambda x: F.interpolate(x, size=(9, 10), mode="bicubic", antialias=True)),
    ("interpolate_area", [randn(1, 2, 9, 7)], lambda x: F.interpolate(x, size=(4, 3), mode="area")),
    ("softmax", [randn(3, 5, 2)], lambda x: F.softmax(x, dim=1)),
    ("log_softmax", [randn(3, 5)], lambda x: F.log_softmax(x, dim=-1)),
    ("mse_loss", [randn(3, 4), randn(3, 4)], lambda x, y: F.mse_loss(x, y)),
    ("mse_loss_sum", [randn(3, 4), randn(3, 4)], lambda x, y: F.mse_loss(x, y, reduction="sum")),
    ("mse_loss_none", [randn(3, 4), randn(3, 4)], lambda x, y: F.mse_loss(x, y, reduction="none")),
    ("l1_loss", [randn(3, 4), randn(3, 4)], lambda x, y: F.l1_loss(x, y)),
    ("l1_loss_sum", [randn(3, 4), randn(3, 4)], lambda x, y: F.l1_loss(x, y, reduction="sum")),
    ("l1_loss_none", [randn(3, 4), randn(3, 4)], lambda x, y: F.l1_loss(x, y, reduction="none")),
    ("smooth_l1_loss", [randn(5, 4), randn(5, 4)], lambda x, y: F.smooth_l1_loss(x, y, beta=0.5)),
    ("smooth_l1_loss_beta0", [randn(5, 4), randn(5, 4)], lambda x, y: F.smooth_l1_loss(x, y, beta=0.0, reduction="sum")),
    ("huber_loss", [randn(5, 4, scale=2.0), randn(5, 4)], lambda x, y: F.huber_loss(x, y, delta=0.7, reduction="none")),
    ("binary_cross_entropy", [rand(4, 3, lo=0.05, hi=0.95), rand(4, 3)], lambda x, y: F.binary_cross_entropy(x, y)),
    ("binary_cross_entropy_weight_sum", [rand(4, 3, lo=0.05, hi=0.95), rand(4, 3), rand(3, lo=0.5, hi=2.0)],
     lambda x, y, w: F.binary_cross_entropy(x, y, weight=w, reduction="sum"), {"no_grad": [2]}),
    ("binary_cross_entropy_with_logits", [randn(4, 3, scale=3.0), rand(4, 3)], lambda x, y: F.binary_cross_entropy_with_logits(x, y)),
    ("binary_cross_entropy_with_logits_pos_weight", [randn(4, 3, scale=3.0), rand(4, 3), rand(3, lo=0.5, hi=3.0)],
     lambda x, y, p: F.binary_cross_entropy_with_logits(x, y, pos_weight=p), {"no_grad": [2]}),
    ("binary_cross_entropy_with_logits_weight_none", [randn(4, 3, scale=3.0), rand(4, 3), rand(4, 1, lo=0.5, hi=2.0)],
     lambda x, y, w: F.binary_cross_entropy_with_logits(x, y, weight=w, reduction="none"), {"no_grad": [2]}),
    ("cross_entropy", [randn(6, 5), ints(0, 5, 6)], lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy_ignore_index", [randn(8, 5), with_ignored(0, 5, (8,), -100)], lambda x, t: F.cross_entropy(x, t)),
    ("cross_entropy_ignore_index_custom", [randn(8, 5), with_ignored(0, 5, (8,), 2, every=3)], lambda x, t: F.cross_entropy(x, t, ignore_index=2)),
    ("cross_entropy_label_smoothing", [randn(6, 5), ints(0, 5, 6)], lambda x, t: F.cross_entropy(x, t, label_smoothing=0.1)),
    ("cross_entropy_smoothing_ignore_weight", [randn(8, 5), with_ignored(0, 5, (8,), -100), rand(5, lo=0.5, hi=2.0)],
     lambda x, t, w: F.cross_entropy(x, t, weight=w, label_smoothing=0.2), {"no_grad": [2]}),
    ("cross_entropy_2d_sum", [randn(2, 4, 3, 3), ints(0, 4, 2, 3, 3)], lambda x, t: F.cross_entropy(x, t, reduction="sum")),
    ("cross_entropy_none", [randn(6, 5), ints(0, 5, 6)], lambda x, t: F.cross_entropy(x, t, reduction="none")),
    ("cross_entropy_probabilities", [randn(4, 5), probs_and_onehot(4, 5)], lambda x, p: F.cross_entropy(x, p)),
    ("nll_loss", [randn(6, 5), ints(0, 5, 6)], lambda x, t: F.nll_loss(F.log_softmax(x, 1), t)),
    ("kl_div_batchmean", [randn(4, 5), probs_and_onehot(4, 5)], lambda x, p: F.kl_div(F.log_softmax(x, 1), p, reduction="batchmean")),
    ("gaussian_blur_5", [randn(2, 3, 9, 10)], lambda x: gaussian_blur_reference(x, (5, 5), (1.5, 1.5))),
    ("gaussian_blur_3x7", [randn(3, 12, 11)], lambda x: gaussian_blur_reference(x, (3, 7), (0.8, 2.0))),
    ("gaussian_blur_default_sigma", [randn(1, 2, 8, 8)], lambda x: gaussian_blur_reference(x, (5, 5), (5 * 0.15 + 0.35, 5 * 0.15 + 0.35))),
    ("grid_sample_bilinear", [randn(2, 3, 6, 7), GRID], lambda x, g: F.grid_sample(x, g, align_corners=False)),
    ("grid_sample_nearest_border", [randn(2, 3, 6, 7), GRID], lambda x, g: F.grid_sample(x, g, mode="nearest", padding_mode="border", align_corners=False)),
    ("grid_sample_bicubic_reflection", [randn(2, 3, 6, 7), randn(2, 5, 4, 2, scale=1.3)],
     lambda x, g: F.grid_sample(x, g, mode="bicubic", padding_mode="reflection", align_corners=True)),
    ("affine_grid", [randn(2, 2, 3, scale=0.5)], lambda t: F.affine_grid(t, [2, 3, 4, 5], align_corners=False)),
    ("unfold", [randn(2, 3, 6, 5)], lambda x: F.unfold(x, (2, 3), dilation=1, padding=1, stride=(2, 1))),
    ("fold", [randn(2, 12, 12)], lambda x: F.fold(x, (4, 5), (2, 2), padding=0, stride=1)),
    ("normalize", [randn(3, 4, 2)], lambda x: F.normalize(x, dim=1)),
    ("conv2d_functional", [randn(2, 4, 6, 6), randn(6, 2, 3, 3), randn(6)], lambda x, w, b: F.conv2d(x, w, b, stride=1, padding=1, groups=2)),
    ("linear_functional", [randn(3, 4), randn(5, 4), randn(5)], lambda x, w, b: F.linear(x, w, b)),
    ("embedding_functional", [ints(0, 6, 2, 3), randn(6, 4)], lambda i, w: F.embedding(i, w, padding_idx=-1)),
    ("dropout_functional", [randn(5, 20)], lambda x: F.dropout(x, 0.4, training=True), {"seed_forward": 7}),
    ("leaky_relu_functional", [randn(4, 5)], lambda x: F.leaky_relu(x, 0.1)),
    ("prelu_functional", [randn(2, 3, 4), rand(3, lo=-0.5, hi=0.5)], lambda x, w: F.prelu(x, w)),
    ("relu6", [randn(4, 5, scale=5.0)], lambda x: F.relu6(x)),
    ("gelu_tanh", [randn(4, 5)], lambda x: F.gelu(x, approximate="tanh")),
    ("elu", [randn(4, 5)], lambda x: F.elu(x, 0.5)),
    ("hardswish", [randn(4, 5, scale=4.0)], lambda x: F.hardswish(x)),
    ("mish", [randn(4, 5)], lambda x: F.mish(x)),
    ("max_pool2d_functional", [randn(1, 2, 7, 7)], lambda x: F.max_pool2d(x, 3, stride=2, dilation=2)),
    ("adaptive_max_pool2d", [randn(1, 2, 7, 5)], lambda x: F.adaptive_max_pool2d(x, (3, 2))),
    ("batch_norm_functional_train", [randn(4, 3, 2, 2), randn(3), randn(3)], lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True)),
    ("group_norm_functional", [randn(2, 6, 3, 3)], lambda x: F.group_norm(x, 3)),
]


def is_float(t): return t.dtype.is_floating_point


def run_module_case(name, build, makers, opts):
    seed = case_seed(name)
    torch.manual_seed(seed)
    m = build()
    out = {f"{name}/init/{k}": v.clone() for k, v in m.state_dict().items()}
    if "randomize" in opts:
        opts["randomize"](m)
    state = m.state_dict()
    out.update({f"{name}/state/{k}": v.clone() for k, v in state.items()})
    train = opts.get("train", True)
    m.train(train)
    g = torch.Generator().manual_seed(seed)
    xs = [mk(g) for mk in makers]
    grad_inputs = [i for i, x in enumerate(xs) if is_float(x)]
    for i in grad_inputs:
        xs[i].requires_grad_(True)
    if "seed_forward" in opts:
        torch.manual_seed(opts["seed_forward"])
    y = m(*xs)
    gout = torch.randn(y.shape, generator=g)
    (y * gout).sum().backward()
    for i, x in enumerate(xs):
        out[f"{name}/in{i}"] = x.detach().clone()
        if x.grad is not None:
            out[f"{name}/grad/in{i}"] = x.grad.clone()
    out[f"{name}/out"] = y.detach().clone()
    out[f"{name}/gout"] = gout
    params = []
    for pname, p in m.named_parameters():
        params.append(pname)
        if p.grad is not None:
            out[f"{name}/grad/{pname}"] = p.grad.clone()
    out.update({f"{name}/after/{k}": v.clone() for k, v in m.state_dict().items()})
    for a in opts.get("attrs", []):
        out[f"{name}/attr/{a}"] = getattr(m, a).detach().clone()
    meta = {"name": name, "seed": seed, "train": train, "keys": list(state.keys()), "parameters": params, "grad_inputs": grad_inputs, "repr": repr(m)}
    if "seed_forward" in opts:
        meta["seed_forward"] = opts["seed_forward"]
    return out, meta


def run_functional_case(name, makers, op, opts):
    g = torch.Generator().manual_seed(case_seed(name))
    xs = [mk(g) for mk in makers]
    grad_inputs = [i for i, x in enumerate(xs) if is_float(x) and i not in opts.get("no_grad", [])]
    for i in grad_inputs:
        xs[i].requires_grad_(True)
    if "seed_forward" in opts:
        torch.manual_seed(opts["seed_forward"])
    y = op(*xs)
    gout = torch.randn(y.shape, generator=g)
    (y * gout).sum().backward()
    out = {f"{name}/out": y.detach().clone(), f"{name}/gout": gout}
    for i, x in enumerate(xs):
        out[f"{name}/in{i}"] = x.detach().clone()
        if x.grad is not None:
            out[f"{name}/grad/in{i}"] = x.grad.clone()
    meta = {"name": name, "grad_inputs": grad_inputs}
    if "seed_forward" in opts:
        meta["seed_forward"] = opts["seed_forward"]
    return out, meta


def run_extras():
    """load_state_dict's error messages and clip_grad_norm_, which are not forward/backward cases."""
    tensors, meta = {}, {}
    # load_state_dict: C# applies the same edits to the Composite's own state_dict and expects these messages.
    torch.manual_seed(0)
    m = Composite()
    sd = m.state_dict()
    del sd["head.bias"]
    del sd["stem.1.running_var"]
    sd["blocks.2.weight"] = torch.zeros(1)
    sd["extra"] = torch.zeros(1)
    sd["stem.0.weight"] = torch.zeros(8, 3, 5, 5)
    try:
        m.load_state_dict(sd)
    except RuntimeError as e:
        meta["strict_error"] = str(e)
    del sd["stem.0.weight"]
    keys = m.load_state_dict(sd, strict=False)
    meta["nonstrict_missing"] = keys.missing_keys
    meta["nonstrict_unexpected"] = keys.unexpected_keys
    sd2 = Composite().state_dict()
    sd2["stem.0.weight"] = torch.zeros(8, 3, 5, 5)
    try:
        m.load_state_dict(sd2, strict=False)
    except RuntimeError as e:
        meta["nonstrict_size_error"] = str(e)

    # clip_grad_norm_: three parameters (one without a gradient), norm types 2, 1 and inf.
    g = torch.Generator().manual_seed(11)
    for norm_type, max_norm in (("2", 0.5), ("1", 100.0), ("inf", 0.3)):
        params = [torch.randn(3, 4, generator=g).requires_grad_(), torch.randn(5, generator=g).requires_grad_(), torch.randn(2, generator=g).requires_grad_()]
        params[0].grad = torch.randn(3, 4, generator=g)
        params[1].grad = torch.randn(5, generator=g) * 2
        for i, p in enumerate(params):
            if p.grad is not None:
                tensors[f"clip/{norm_type}/grad_before{i}"] = p.grad.clone()
        total = nn.utils.clip_grad_norm_(params, max_norm, norm_type=float(norm_type))
        tensors[f"clip/{norm_type}/total"] = total.clone()
        for i, p in enumerate(params):
            if p.grad is not None:
                tensors[f"clip/{norm_type}/grad_after{i}"] = p.grad.clone()
    # spectral_norm checkpoints from before PyTorch 1.0: weight, weight_orig, weight_u, no weight_v.
    torch.manual_seed(21)
    conv = nn.utils.spectral_norm(nn.Conv2d(3, 4, 3))
    conv(torch.randn(2, 3, 5, 5, generator=g))
    old = {"bias": conv.bias.detach().clone(), "weight_orig": conv.weight_orig.detach().clone(),
           "weight_u": conv.weight_u.clone(), "weight": conv.weight.detach().clone()}
    fresh = nn.utils.spectral_norm(nn.Conv2d(3, 4, 3))
    fresh.load_state_dict(old)
    fresh.eval()
    x = torch.randn(1, 3, 5, 5, generator=g)
    tensors.update({f"spectral_old/state/{k}": v for k, v in old.items()})
    tensors["spectral_old/weight_v"] = fresh.weight_v.clone()
    tensors["spectral_old/x"] = x
    tensors["spectral_old/y"] = fresh(x).detach()
    return tensors, meta


def main(out_dir):
    torch.set_num_threads(1)
    tensors, modules, functional = {}, [], []
    for name, build, makers, opts in MODULES:
        t, meta = run_module_case(name, build, makers, opts)
        tensors.update(t)
        modules.append(meta)
    for row in FUNCTIONAL:
        name, makers, op = row[:3]
        t, meta = run_functional_case(name, makers, op, row[3] if len(row) > 3 else {})
        tensors.update(t)
        functional.append(meta)
    names = [m["name"] for m in modules] + [f["name"] for f in functional]
    assert len(set(names)) == len(names), "duplicate case names"
    extra_tensors, extras = run_extras()
    tensors.update(extra_tensors)
    safetensors_io.save(f"{out_dir}/nn.safetensors", tensors,
                        {"modules": json.dumps(modules), "functional": json.dumps(functional), "extras": json.dumps(extras),
                         "torch": torch.__version__})
    print(f"{len(modules)} module cases, {len(functional)} functional cases, {len(tensors)} tensors")


if __name__ == "__main__":
    main(sys.argv[1])
