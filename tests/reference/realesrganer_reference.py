"""Real-ESRGAN's RealESRGANer.enhance, run on small published-layout checkpoints and test images: the twin that
Workbench's RealEsrganer must match.

Usage: /usr/bin/python3 realesrganer_reference.py OUTDIR. Writes
  OUTDIR/RealESRGAN_x4plus_small.pth       BasicSR RRDBNet x4 (num_feat 16, 2 blocks, grow 8), {'params', 'params_ema'}
  OUTDIR/RealESRGAN_x2plus_small.pth       the same at x2 (pixel unshuffle first)
  OUTDIR/realesr-general-x4v3_small.pth    SRVGGNetCompact x4 (prelu, num_feat 8, num_conv 3), {'params'}
  OUTDIR/IMAGE.png                         inputs: rgb8 (45x61), big8 (70x66), rgba8 (40x52), rgb16 (43x50, 16-bit), gray8 (41x47),
                                           rgba16 (38x44, 16-bit)
  OUTDIR/expected.safetensors              CASE: enhance's output for each case in CASES, (H, W, C) in RGB(A) order as
                                           cv2.imwrite would store it (uint8 as U8, uint16 as I32); CASE/tile0 for the
                                           tiled cases: the same run untiled (tiles must make a difference to be tested)

RealESRGANer below follows realesrgan/utils.py (pre_process, process, tile_process, post_process, enhance) with
upstream's names. OpenCV is not installed here, so the few cv2 calls enhance makes are written out in numpy from
OpenCV's resize.cpp and color conversion: cvtColor GRAY2RGB / BGR2RGB / BGR2GRAY / BGR2BGRA, resize INTER_LINEAR on
float32, and resize INTER_LANCZOS4 on uint8 (fixed-point 11-bit taps) and uint16 (float taps). Inputs are handed to
enhance in BGR(A) order, as cv2.imread(path, cv2.IMREAD_UNCHANGED) gives them.
"""
import math
import os
import struct
import sys
import zlib

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from published_sr_compact import SRVGGNetCompact  # noqa: E402
from safetensors_io import save  # noqa: E402
from sr_reference import RRDBNet  # noqa: E402

torch.set_num_threads(1)

# name, model file, image, tile, tile_pad, pre_pad, outscale, alpha_upsampler. Workbench's test lists the same.
CASES = [
    ("x4_tile0", "RealESRGAN_x4plus_small.pth", "rgb8", 0, 10, 0, None, "realesrgan"),
    ("x4_tile64", "RealESRGAN_x4plus_small.pth", "big8", 64, 10, 10, None, "realesrgan"),
    ("x4_outscale2.5", "RealESRGAN_x4plus_small.pth", "rgb8", 0, 10, 10, 2.5, "realesrgan"),
    ("x2_tile32_outscale3.5", "RealESRGAN_x2plus_small.pth", "rgb8", 32, 10, 10, 3.5, "realesrgan"),
    ("compact_rgba_model", "realesr-general-x4v3_small.pth", "rgba8", 24, 10, 10, None, "realesrgan"),
    ("x4_rgba_resize", "RealESRGAN_x4plus_small.pth", "rgba8", 0, 10, 10, None, "bicubic"),
    ("x4_16bit_tile32_outscale2.5", "RealESRGAN_x4plus_small.pth", "rgb16", 32, 10, 10, 2.5, "realesrgan"),
    ("compact_gray", "realesr-general-x4v3_small.pth", "gray8", 0, 10, 10, None, "realesrgan"),
    ("x4_rgba16_tile32", "RealESRGAN_x4plus_small.pth", "rgba16", 32, 10, 10, None, "realesrgan"),
]


# ---- the cv2 calls enhance makes ---------------------------------------------------------------------------------

def _lanczos4_coeffs(x):
    """OpenCV's interpolateLanczos4 for a float32 offset x in [0, 1): 8 taps, in float as OpenCV stores them."""
    s45 = 0.70710678118654752440084436210485
    cs = [(1, 0), (-s45, -s45), (0, 1), (s45, -s45), (-1, 0), (s45, s45), (0, -1), (-s45, s45)]
    x3 = np.float32(x + np.float32(3))
    y0 = -float(x3) * math.pi * 0.25
    s0, c0 = math.sin(y0), math.cos(y0)
    coeffs = np.zeros(8, np.float32)
    total = np.float32(0)
    for i in range(8):
        t = np.float32(x3 - np.float32(i))
        if abs(t) >= 1e-6:
            y = -float(t) * math.pi * 0.25
            coeffs[i] = np.float32((cs[i][0] * s0 + cs[i][1] * c0) / (y * y))
        else:
            coeffs[i] = np.float32(1e30)
        total = np.float32(total + coeffs[i])
    return coeffs * np.float32(np.float32(1) / total)


def _source_positions(src, dst):
    """cv::resize's mapping: fx = (dx + 0.5) * scale - 0.5 in float, split into floor and fraction."""
    scale = 1.0 / (dst / src)
    out = []
    for d in range(dst):
        f = np.float32((d + 0.5) * scale - 0.5)
        s = int(math.floor(f))
        out.append((s, np.float32(f - np.float32(s))))
    return out


def _lanczos_taps(src, dst):
    idx = np.zeros((dst, 8), np.int64)
    coef = np.zeros((dst, 8), np.float32)
    for d, (s, f) in enumerate(_source_positions(src, dst)):
        idx[d] = np.clip(np.arange(s - 3, s + 5), 0, src - 1)  # edge samples repeat
        coef[d] = _lanczos4_coeffs(f)
    return idx, coef


def cv2_resize_lanczos4(img, size):
    """cv2.resize(img, (w, h), interpolation=cv2.INTER_LANCZOS4) for uint8 / uint16 (H, W[, C]) images."""
    w, h = size
    x = img if img.ndim == 3 else img[:, :, None]
    ix, cx = _lanczos_taps(x.shape[1], w)
    iy, cy = _lanczos_taps(x.shape[0], h)
    if x.dtype == np.uint8:
        # INTER_RESIZE_COEF_SCALE 2048 short taps, int sums, (v + 2^21) >> 22 with saturation.
        ax = np.rint(cx * np.float32(2048)).astype(np.int64)
        ay = np.rint(cy * np.float32(2048)).astype(np.int64)
        xi = x.astype(np.int64)
        rows = sum(xi[:, ix[:, k], :] * ax[None, :, k, None] for k in range(8))
        full = sum(rows[iy[:, k], :, :] * ay[:, k, None, None] for k in range(8))
        out = np.clip((full + (1 << 21)) >> 22, 0, 255).astype(np.uint8)
    else:
        xf = x.astype(np.float32)
        rows = xf[:, ix[:, 0], :] * cx[None, :, 0, None]
        for k in range(1, 8):
            rows = rows + xf[:, ix[:, k], :] * cx[None, :, k, None]
        full = rows[iy[:, 0], :, :] * cy[:, 0, None, None]
        for k in range(1, 8):
            full = full + rows[iy[:, k], :, :] * cy[:, k, None, None]
        out = np.clip(np.rint(full), 0, 65535).astype(np.uint16)
    return out if img.ndim == 3 else out[:, :, 0]


def _linear_taps(src, dst):
    i0, i1, w = np.zeros(dst, np.int64), np.zeros(dst, np.int64), np.zeros(dst, np.float32)
    for d, (s, f) in enumerate(_source_positions(src, dst)):
        if s < 0:
            s, f = 0, np.float32(0)
        if s >= src - 1:
            s, f = src - 1, np.float32(0)
        i0[d], i1[d], w[d] = s, min(s + 1, src - 1), f
    return i0, i1, w


def cv2_resize_linear(img, size):
    """cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR) for a float32 (H, W) image."""
    w, h = size
    x0, x1, fx = _linear_taps(img.shape[1], w)
    y0, y1, fy = _linear_taps(img.shape[0], h)
    rows = img[:, x0] * (np.float32(1) - fx)[None, :] + img[:, x1] * fx[None, :]
    return rows[y0, :] * (np.float32(1) - fy)[:, None] + rows[y1, :] * fy[:, None]


def cv2_gray2rgb(img):
    return np.repeat(img[:, :, None], 3, axis=2)


def cv2_bgr2rgb(img):
    return np.ascontiguousarray(img[:, :, ::-1])


def cv2_bgr2gray(img):
    return img[:, :, 0] * np.float32(0.114) + img[:, :, 1] * np.float32(0.587) + img[:, :, 2] * np.float32(0.299)


def cv2_bgr2bgra(img):
    return np.concatenate([img, np.ones(img.shape[:2] + (1,), img.dtype)], axis=2)


# ---- RealESRGANer (realesrgan/utils.py), on the CPU in float32 -----------------------------------------------------

class RealESRGANer:
    def __init__(self, scale, model_path, model, tile=0, tile_pad=10, pre_pad=10):
        self.scale = scale
        self.tile_size = tile
        self.tile_pad = tile_pad
        self.pre_pad = pre_pad
        self.mod_scale = None
        loadnet = torch.load(model_path, map_location=torch.device('cpu'))
        keyname = 'params_ema' if 'params_ema' in loadnet else 'params'  # upstream prefers the EMA weights
        model.load_state_dict(loadnet[keyname], strict=True)
        model.eval()
        self.model = model

    def pre_process(self, img):
        self.img = torch.from_numpy(np.transpose(img, (2, 0, 1))).float().unsqueeze(0)
        if self.pre_pad != 0:
            self.img = F.pad(self.img, (0, self.pre_pad, 0, self.pre_pad), 'reflect')
        if self.scale == 2:
            self.mod_scale = 2
        elif self.scale == 1:
            self.mod_scale = 4
        if self.mod_scale is not None:
            self.mod_pad_h, self.mod_pad_w = 0, 0
            _, _, h, w = self.img.size()
            if h % self.mod_scale != 0:
                self.mod_pad_h = self.mod_scale - h % self.mod_scale
            if w % self.mod_scale != 0:
                self.mod_pad_w = self.mod_scale - w % self.mod_scale
            self.img = F.pad(self.img, (0, self.mod_pad_w, 0, self.mod_pad_h), 'reflect')

    def process(self):
        self.output = self.model(self.img)

    def tile_process(self):
        batch, channel, height, width = self.img.shape
        self.output = self.img.new_zeros((batch, channel, height * self.scale, width * self.scale))
        tiles_x = math.ceil(width / self.tile_size)
        tiles_y = math.ceil(height / self.tile_size)
        for y in range(tiles_y):
            for x in range(tiles_x):
                ofs_x, ofs_y = x * self.tile_size, y * self.tile_size
                input_start_x, input_end_x = ofs_x, min(ofs_x + self.tile_size, width)
                input_start_y, input_end_y = ofs_y, min(ofs_y + self.tile_size, height)
                input_start_x_pad = max(input_start_x - self.tile_pad, 0)
                input_end_x_pad = min(input_end_x + self.tile_pad, width)
                input_start_y_pad = max(input_start_y - self.tile_pad, 0)
                input_end_y_pad = min(input_end_y + self.tile_pad, height)
                input_tile_width = input_end_x - input_start_x
                input_tile_height = input_end_y - input_start_y
                input_tile = self.img[:, :, input_start_y_pad:input_end_y_pad, input_start_x_pad:input_end_x_pad]
                with torch.no_grad():
                    output_tile = self.model(input_tile)
                output_start_x, output_end_x = input_start_x * self.scale, input_end_x * self.scale
                output_start_y, output_end_y = input_start_y * self.scale, input_end_y * self.scale
                output_start_x_tile = (input_start_x - input_start_x_pad) * self.scale
                output_end_x_tile = output_start_x_tile + input_tile_width * self.scale
                output_start_y_tile = (input_start_y - input_start_y_pad) * self.scale
                output_end_y_tile = output_start_y_tile + input_tile_height * self.scale
                self.output[:, :, output_start_y:output_end_y, output_start_x:output_end_x] = \
                    output_tile[:, :, output_start_y_tile:output_end_y_tile, output_start_x_tile:output_end_x_tile]

    def post_process(self):
        if self.mod_scale is not None:
            _, _, h, w = self.output.size()
            self.output = self.output[:, :, 0:h - self.mod_pad_h * self.scale, 0:w - self.mod_pad_w * self.scale]
        if self.pre_pad != 0:
            _, _, h, w = self.output.size()
            self.output = self.output[:, :, 0:h - self.pre_pad * self.scale, 0:w - self.pre_pad * self.scale]
        return self.output

    def _run(self, img):
        self.pre_process(img)
        if self.tile_size > 0:
            self.tile_process()
        else:
            self.process()
        out = self.post_process()
        out = out.data.squeeze().float().cpu().clamp_(0, 1).numpy()
        return np.transpose(out[[2, 1, 0], :, :], (1, 2, 0))  # to BGR, as upstream hands it back to OpenCV

    @torch.no_grad()
    def enhance(self, img, outscale=None, alpha_upsampler='realesrgan'):
        h_input, w_input = img.shape[0:2]
        img = img.astype(np.float32)
        max_range = 65535 if np.max(img) > 256 else 255
        img = img / max_range
        if len(img.shape) == 2:
            img_mode = 'L'
            img = cv2_gray2rgb(img)
        elif img.shape[2] == 4:
            img_mode = 'RGBA'
            alpha = img[:, :, 3]
            img = cv2_bgr2rgb(img[:, :, 0:3])
            if alpha_upsampler == 'realesrgan':
                alpha = cv2_gray2rgb(alpha)
        else:
            img_mode = 'RGB'
            img = cv2_bgr2rgb(img)

        output_img = self._run(img)
        if img_mode == 'L':
            output_img = cv2_bgr2gray(output_img)

        if img_mode == 'RGBA':
            if alpha_upsampler == 'realesrgan':
                output_alpha = cv2_bgr2gray(self._run(alpha))
            else:
                h, w = alpha.shape[0:2]
                output_alpha = cv2_resize_linear(alpha, (w * self.scale, h * self.scale))
            output_img = cv2_bgr2bgra(output_img)
            output_img[:, :, 3] = output_alpha

        if max_range == 65535:
            output = (output_img * 65535.0).round().astype(np.uint16)
        else:
            output = (output_img * 255.0).round().astype(np.uint8)
        if outscale is not None and outscale != float(self.scale):
            output = cv2_resize_lanczos4(output, (int(w_input * outscale), int(h_input * outscale)))
        return output, img_mode


# ---- files ---------------------------------------------------------------------------------------------------------

def write_png(path, arr):
    """A plain PNG (filter 0, zlib) of a (H, W) gray or (H, W, 3|4) RGB(A) uint8/uint16 array."""
    h, w = arr.shape[:2]
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    depth = 16 if arr.dtype == np.uint16 else 8
    raw = arr.astype('>u2' if depth == 16 else 'u1').reshape(h, -1)
    data = b''.join(b'\x00' + row.tobytes() for row in raw)

    def chunk(kind, body):
        return struct.pack('>I', len(body)) + kind + body + struct.pack('>I', zlib.crc32(kind + body) & 0xffffffff)

    ihdr = struct.pack('>IIBBBBB', w, h, depth, {1: 0, 3: 2, 4: 6}[channels], 0, 0, 0)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IDAT', zlib.compress(data, 6)) + chunk(b'IEND', b''))


def smooth_image(rng, h, w, c, peak):
    """Smooth colour fields plus texture: something a network does not just clamp to 0 or 1."""
    yy, xx = np.mgrid[0:h, 0:w] / max(h, w)
    planes = []
    for _ in range(c):
        a, b, p = rng.uniform(2, 9, 2), rng.uniform(0, 6, 2), rng.uniform(0.2, 0.8)
        v = p + 0.3 * np.sin(a[0] * xx + b[0]) * np.cos(a[1] * yy + b[1]) + 0.08 * rng.standard_normal((h, w))
        planes.append(v)
    x = np.clip(np.stack(planes, axis=2), 0, 1)
    return np.rint(x * peak).astype(np.uint16 if peak > 255 else np.uint8)


def lively(net, probe):
    """Random weights that carry the input through (convs scaled up from PyTorch's default init, which shrinks the
    signal layer by layer), then conv_last set so the output on probe has mean 0.5 and spread 0.15: the output
    depends on the input and little of it is clamped away."""
    with torch.no_grad():
        for name, p in net.named_parameters():
            if p.dim() == 4:
                p.mul_(4.0)
            else:
                p.uniform_(-0.05, 0.05)
        out = net(probe)
        k = 0.15 / out.std().item()
        net.conv_last.weight.mul_(k)
        net.conv_last.bias.mul_(k).add_(0.5 - k * out.mean().item())
    return net.eval()


def main(outdir):
    torch.manual_seed(25)
    rng = np.random.default_rng(25)
    probe = torch.rand(1, 3, 32, 32)
    rrdb4 = lively(RRDBNet(3, 3, scale=4, num_feat=16, num_block=2, num_grow_ch=8), probe)
    rrdb4_plain = RRDBNet(3, 3, scale=4, num_feat=16, num_block=2, num_grow_ch=8)  # 'params': not what upstream loads
    torch.save({'params': rrdb4_plain.state_dict(), 'params_ema': rrdb4.state_dict()}, os.path.join(outdir, 'RealESRGAN_x4plus_small.pth'))
    rrdb2 = lively(RRDBNet(3, 3, scale=2, num_feat=16, num_block=2, num_grow_ch=8), probe)
    torch.save({'params_ema': rrdb2.state_dict()}, os.path.join(outdir, 'RealESRGAN_x2plus_small.pth'))
    compact = SRVGGNetCompact(3, 3, num_feat=8, num_conv=3, upscale=4, act_type='prelu')
    with torch.no_grad():
        compact.body[-1].weight.mul_(0.2)  # a residual on top of the nearest-upsampled input
        compact.body[-1].bias.uniform_(-0.05, 0.05)
    torch.save({'params': compact.state_dict()}, os.path.join(outdir, 'realesr-general-x4v3_small.pth'))
    nets = {'RealESRGAN_x4plus_small.pth': (lambda: RRDBNet(3, 3, scale=4, num_feat=16, num_block=2, num_grow_ch=8), 4),
            'RealESRGAN_x2plus_small.pth': (lambda: RRDBNet(3, 3, scale=2, num_feat=16, num_block=2, num_grow_ch=8), 2),
            'realesr-general-x4v3_small.pth': (lambda: SRVGGNetCompact(3, 3, num_feat=8, num_conv=3, upscale=4, act_type='prelu'), 4)}

    images = {'rgb8': smooth_image(rng, 45, 61, 3, 255), 'big8': smooth_image(rng, 70, 66, 3, 255),
              'rgba8': smooth_image(rng, 40, 52, 4, 255), 'rgb16': smooth_image(rng, 43, 50, 3, 65535),
              'gray8': smooth_image(rng, 41, 47, 1, 255)[:, :, 0], 'rgba16': smooth_image(rng, 38, 44, 4, 65535)}
    for name, rgb in images.items():
        write_png(os.path.join(outdir, name + '.png'), rgb)

    def bgr(rgb):  # what cv2.imread(IMREAD_UNCHANGED) returns
        if rgb.ndim == 2:
            return rgb
        return np.ascontiguousarray(rgb[:, :, [2, 1, 0, 3][:rgb.shape[2]]])

    def as_rgb(out):
        out = out if out.ndim == 3 else out[:, :, None]
        if out.shape[2] >= 3:
            out = out[:, :, [2, 1, 0, 3][:out.shape[2]]]
        t = torch.from_numpy(np.ascontiguousarray(out).astype(np.int32 if out.dtype == np.uint16 else np.uint8))
        return t

    expected = {}
    for name, model_file, image, tile, tile_pad, pre_pad, outscale, alpha_upsampler in CASES:
        make, scale = nets[model_file]
        runs = [(name, tile)] + ([(name + '/tile0', 0)] if tile > 0 else [])
        for key, t in runs:
            upsampler = RealESRGANer(scale, os.path.join(outdir, model_file), make(), tile=t, tile_pad=tile_pad, pre_pad=pre_pad)
            out, _ = upsampler.enhance(bgr(images[image]), outscale=outscale, alpha_upsampler=alpha_upsampler)
            expected[key] = as_rgb(out)
        peak = 65535 if images[image].dtype == np.uint16 else 255
        clamped = ((expected[name] == 0) | (expected[name] == peak)).float().mean().item()
        print(f'{name}: {tuple(expected[name].shape)}, {clamped:.1%} of samples at 0 or {peak}')
    save(os.path.join(outdir, 'expected.safetensors'), expected)


if __name__ == '__main__':
    main(sys.argv[1])
