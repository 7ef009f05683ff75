// Image math of `workbench colorize` and `workbench upscale`, replicated so that the page's results match the CLI's:
// PyTorch's antialiased bicubic resize (ImageResize.Resize), BT.601 YUV with skimage's matrix, reflect padding,
// Colorizer.RenderShape, and Upscaler's tiles with blended overlaps. Planes are Float32Array (row-major H×W);
// arithmetic runs in float64, so results differ from libtorch's float32 only by rounding.

// skimage.color's rgb2yuv matrix (ColorSpace.YuvFromRgb) and its inverse, computed as ColorSpace computes it.
const YUV_FROM_RGB = [
  [0.299, 0.587, 0.114],
  [-0.14714119, -0.28886916, 0.43601035],
  [0.61497538, -0.51496512, -0.10001026],
];
export const RGB_FROM_YUV = inverse3(YUV_FROM_RGB);

function inverse3(m) {
  const cof = (r, c) => {
    const r0 = (r + 1) % 3, r1 = (r + 2) % 3, c0 = (c + 1) % 3, c1 = (c + 2) % 3;
    return m[r0][c0] * m[r1][c1] - m[r0][c1] * m[r1][c0];
  };
  const det = m[0][0] * cof(0, 0) + m[0][1] * cof(0, 1) + m[0][2] * cof(0, 2);
  return [0, 1, 2].map(r => [0, 1, 2].map(c => cof(c, r) / det));
}

/** C#'s Math.Round: halves go to the even neighbour. */
export function roundHalfEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Colorizer.RenderShape: about renderSize² pixels, the aspect ratio kept. */
export function renderShape(height, width, renderSize) {
  const scale = renderSize / Math.sqrt(height * width);
  return [Math.max(1, roundHalfEven(height * scale)), Math.max(1, roundHalfEven(width * scale))];
}

/** BT.601 luma of 8-bit RGBA pixels (ColorSpace.Luma): a plane in [0, 1]. */
export function luma(rgba, count) {
  const y = new Float32Array(count);
  for (let i = 0, p = 0; i < count; i++, p += 4) y[i] = (rgba[p] * 0.299 + rgba[p + 1] * 0.587 + rgba[p + 2] * 0.114) / 255;
  return y;
}

// Keys cubic with a = −0.5, the filter of PyTorch's antialiased bicubic (and Pillow's).
function cubicAA(x) {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** Per output index: the first input index and normalized weights (PyTorch's _compute_weights_aa, align_corners=False). */
function weightsAA(inSize, outSize) {
  const scale = inSize / outSize;
  const support = scale >= 1 ? 2 * scale : 2;
  const invscale = scale >= 1 ? 1 / scale : 1;
  const taps = [];
  for (let i = 0; i < outSize; i++) {
    const center = scale * (i + 0.5);
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xsize = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    const w = new Float64Array(Math.max(xsize, 0));
    let total = 0;
    for (let j = 0; j < xsize; j++) { w[j] = cubicAA((j + xmin - center + 0.5) * invscale); total += w[j]; }
    if (total !== 0) for (let j = 0; j < xsize; j++) w[j] /= total;
    taps.push({ xmin, w });
  }
  return taps;
}

/** ImageResize.Resize(plane, outH, outW, Bicubic, antialias: true): horizontal pass, then vertical. */
export function resizeAA(plane, height, width, outHeight, outWidth) {
  const tx = weightsAA(width, outWidth);
  const rows = new Float64Array(height * outWidth);
  for (let y = 0; y < height; y++) {
    const base = y * width;
    for (let x = 0; x < outWidth; x++) {
      const { xmin, w } = tx[x];
      let s = 0;
      for (let j = 0; j < w.length; j++) s += w[j] * plane[base + xmin + j];
      rows[y * outWidth + x] = s;
    }
  }
  const ty = weightsAA(height, outHeight);
  const out = new Float32Array(outHeight * outWidth);
  for (let y = 0; y < outHeight; y++) {
    const { xmin, w } = ty[y];
    for (let x = 0; x < outWidth; x++) {
      let s = 0;
      for (let j = 0; j < w.length; j++) s += w[j] * rows[(xmin + j) * outWidth + x];
      out[y * outWidth + x] = s;
    }
  }
  return out;
}

/** Index into [0, n) after padding: PyTorch's reflect (the edge not repeated) or replicate. */
function source(i, n, reflect) {
  if (!reflect) return Math.min(Math.max(i, 0), n - 1);
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  i = ((i % period) + period) % period;
  return i < n ? i : period - i;
}

/**
 * Colorizer.RunPadded's padding: each side to a multiple of the stride, centred (the smaller half first);
 * reflect where every pad is smaller than its side, else replicate. Returns the padded plane and the offsets.
 */
export function padToStride(plane, height, width, stride) {
  const ph = (stride - height % stride) % stride, pw = (stride - width % stride) % stride;
  const top = Math.floor(ph / 2), left = Math.floor(pw / 2);
  const reflect = [left, pw - left].every(p => p < width) && [top, ph - top].every(p => p < height);
  const H = height + ph, W = width + pw;
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; y++) {
    const sy = source(y - top, height, reflect) * width;
    for (let x = 0; x < W; x++) out[y * W + x] = plane[sy + source(x - left, width, reflect)];
  }
  return { plane: out, height: H, width: W, top, left };
}

/** 8-bit RGBA from three float planes in [0, 1] (clamped, rounded: ImageIO.Write's 8-bit quantization). */
export function toRgba(r, g, b, count) {
  const out = new Uint8ClampedArray(count * 4);
  for (let i = 0, p = 0; i < count; i++, p += 4) {
    out[p] = Math.round(Math.min(Math.max(r[i], 0), 1) * 255);
    out[p + 1] = Math.round(Math.min(Math.max(g[i], 0), 1) * 255);
    out[p + 2] = Math.round(Math.min(Math.max(b[i], 0), 1) * 255);
    out[p + 3] = 255;
  }
  return out;
}

/**
 * Colorizer.Colorize after the model: U and V of the render-size RGB (3 planes, h×w) upsampled to H×W, joined
 * with the original's luma Y (H×W), back to RGB. Returns 8-bit RGBA.
 */
export function mergeLuminance(rendered, h, w, y, height, width) {
  const n = h * w;
  const u = new Float32Array(n), v = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [r, g, b] = [rendered[i], rendered[n + i], rendered[2 * n + i]];
    u[i] = YUV_FROM_RGB[1][0] * r + YUV_FROM_RGB[1][1] * g + YUV_FROM_RGB[1][2] * b;
    v[i] = YUV_FROM_RGB[2][0] * r + YUV_FROM_RGB[2][1] * g + YUV_FROM_RGB[2][2] * b;
  }
  const U = resizeAA(u, h, w, height, width), V = resizeAA(v, h, w, height, width);
  const count = height * width;
  const m = RGB_FROM_YUV;
  const out = new Uint8ClampedArray(count * 4);
  const q = c => Math.round(Math.min(Math.max(c, 0), 1) * 255);
  for (let i = 0, p = 0; i < count; i++, p += 4) {
    out[p] = q(m[0][0] * y[i] + m[0][1] * U[i] + m[0][2] * V[i]);
    out[p + 1] = q(m[1][0] * y[i] + m[1][1] * U[i] + m[1][2] * V[i]);
    out[p + 2] = q(m[2][0] * y[i] + m[2][1] * U[i] + m[2][2] * V[i]);
    out[p + 3] = 255;
  }
  return out;
}

/** Upscaler.Split: n near-equal pieces of at most `tile` (0: one piece). */
export function split(length, tile) {
  const n = tile === 0 || length <= tile ? 1 : Math.ceil(length / tile);
  return Array.from({ length: n }, (_, k) => [Math.floor(length * k / n), Math.floor(length * (k + 1) / n)]);
}

/** Upscaler.Ramp: the blending weights of one tile's kept output pixels along one axis. */
export function ramp(a, b, before, after, half, s) {
  const start = before ? a - half : a, end = after ? b + half : b;
  const w = new Float32Array((end - start) * s);
  for (let i = 0; i < w.length; i++) {
    const j = start * s + i + 0.5;
    let v = 1;
    if (before && j < (a + half) * s) v = (j - (a - half) * s) / (2 * half * s);
    if (after && j > (b - half) * s) v = Math.min(v, ((b + half) * s - j) / (2 * half * s));
    w[i] = v;
  }
  return w;
}

/** The RGB planes (CHW, in [0, 1]) of rows pa..pb, columns qa..qb of an RGBA image, reflect beyond its edges (Upscaler.Patch). */
export function patch(rgba, height, width, pa, pb, qa, qb) {
  const h = pb - pa, w = qb - qa, n = h * w;
  const out = new Float32Array(3 * n);
  for (let y = 0; y < h; y++) {
    const sy = source(pa + y, height, true);
    for (let x = 0; x < w; x++) {
      const p = 4 * (sy * width + source(qa + x, width, true));
      const i = y * w + x;
      out[i] = rgba[p] / 255; out[n + i] = rgba[p + 1] / 255; out[2 * n + i] = rgba[p + 2] / 255;
    }
  }
  return out;
}

/** Pads CHW planes on the right and bottom to multiples of `multiple` (Upscaler.PadToMultiple). */
export function padRightBottom(chw, channels, h, w, multiple) {
  const ph = (multiple - h % multiple) % multiple, pw = (multiple - w % multiple) % multiple;
  if (ph === 0 && pw === 0) return { data: chw, height: h, width: w };
  const reflect = ph < h && pw < w;
  const H = h + ph, W = w + pw, out = new Float32Array(channels * H * W);
  for (let c = 0; c < channels; c++)
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) out[c * H * W + y * W + x] = chw[c * h * w + source(y, h, reflect) * w + source(x, w, reflect)];
  return { data: out, height: H, width: W };
}
