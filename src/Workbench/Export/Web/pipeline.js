// The models of the exported folder run with onnxruntime-web (WASM), as `workbench colorize` and `workbench upscale`
// run them: same render size, padding, luminance merge, tiles and 8-bit rounding (see imaging.js).
import * as ort from './ort/ort.wasm.min.mjs';
import {
  luma, renderShape, resizeAA, padToStride, mergeLuminance, split, ramp, patch, padRightBottom, toRgba,
} from './imaging.js';

/** An error whose message is meant for the user as it is (an unreadable photo, one too large, ...). */
export class PhotoError extends Error {}

/** Largest image (in pixels) the page works on: the planes of a larger one may not fit a phone's memory. */
export const MAX_PIXELS = 16_000_000;

const sessions = new Map();

/** WASM runtime files come from ./ort/ (copied from the npm package), never from a CDN. */
export function configure(threads) {
  ort.env.wasm.wasmPaths = new URL('ort/', document.baseURI).href;
  ort.env.wasm.numThreads = threads;
}

export async function loadManifest() {
  const response = await fetch('models/models.json');
  if (!response.ok) throw new Error(`models/models.json: HTTP ${response.status}`);
  return response.json();
}

async function session(file) {
  if (!sessions.has(file))
    sessions.set(file, ort.InferenceSession.create(`models/${file}`, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
  return sessions.get(file);
}

/** Loads both models' sessions ahead of the first photo (their compile time is then not a photo's time). */
export async function warm(manifest) {
  await Promise.all([manifest.colorizer, manifest.upscaler].filter(Boolean).map(m => session(m.file)));
}

async function run(file, data, dims) {
  const s = await session(file);
  const out = await s.run({ [s.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  return out[s.outputNames[0]];
}

function checkSize(name, height, width, what) {
  if (height * width > MAX_PIXELS)
    throw new PhotoError(`${name}: ${what} would be ${width}×${height} (${(height * width / 1e6).toFixed(1)} MP), more than this page handles ` +
      `(${MAX_PIXELS / 1e6} MP) on a device; shrink the photo or use the workbench CLI`);
}

/** Colorizer.Colorize: the model sees about renderSize² pixels; the result has the photo's size and luminance. */
export async function colorize(image, renderSize, manifest) {
  const m = manifest.colorizer;
  if (!m) throw new PhotoError('this folder was exported without a colorizer');
  const { rgba, height, width, name } = image;
  checkSize(name, height, width, 'the colorized photo');
  const y = luma(rgba, height * width);
  const [h, w] = renderShape(height, width, renderSize);
  const small = resizeAA(y, height, width, h, w);
  for (let i = 0; i < small.length; i++) small[i] = Math.min(Math.max(small[i], 0), 1);
  const padded = padToStride(small, h, w, m.stride);
  if (padded.height < m.minSide || padded.width < m.minSide)
    throw new PhotoError(`${name}: at render size ${renderSize} the model would see ${w}×${h}, narrower than it takes (${m.minSide} px); raise the render size`);
  const n = padded.height * padded.width;
  const input = new Float32Array(3 * n);
  input.set(padded.plane, 0); input.set(padded.plane, n); input.set(padded.plane, 2 * n); // gray as RGB
  const out = (await run(m.file, input, [1, 3, padded.height, padded.width])).data;
  // Cropped back to h×w and clamped, as RunPadded.
  const rendered = new Float32Array(3 * h * w);
  for (let c = 0; c < 3; c++)
    for (let r = 0; r < h; r++)
      for (let x = 0; x < w; x++)
        rendered[c * h * w + r * w + x] = Math.min(Math.max(out[c * n + (r + padded.top) * padded.width + x + padded.left], 0), 1);
  return { rgba: mergeLuminance(rendered, h, w, y, height, width), height, width, name };
}

/** Upscaler.Upscale: tiles with overlapping, blended borders, reflect padding at the photo's edges. */
export async function upscale(image, manifest, onProgress) {
  const m = manifest.upscaler;
  if (!m) throw new PhotoError('this folder was exported without an upscaler');
  const { rgba, height, width, name } = image;
  const s = m.scale, overlap = m.overlap, half = Math.floor(overlap / 2);
  const [H, W] = [height * s, width * s];
  checkSize(name, H, W, 'the upscaled photo');
  const out = new Float32Array(3 * H * W);
  const rows = split(height, m.tile), columns = split(width, m.tile);
  const padY = Math.min(overlap, height - 1), padX = Math.min(overlap, width - 1);
  let done = 0;
  for (let r = 0; r < rows.length; r++) {
    const [a, b] = rows[r];
    const top = r > 0 ? a - half : a, bottom = r < rows.length - 1 ? b + half : b;
    const wy = ramp(a, b, r > 0, r < rows.length - 1, half, s);
    const pa = Math.max(a - overlap, -padY), pb = Math.min(b + overlap, height + padY);
    for (let c = 0; c < columns.length; c++) {
      const [x0, x1] = columns[c];
      const left = c > 0 ? x0 - half : x0, right = c < columns.length - 1 ? x1 + half : x1;
      const wx = ramp(x0, x1, c > 0, c < columns.length - 1, half, s);
      const qa = Math.max(x0 - overlap, -padX), qb = Math.min(x1 + overlap, width + padX);
      const p = padRightBottom(patch(rgba, height, width, pa, pb, qa, qb), 3, pb - pa, qb - qa, m.inputMultiple);
      const y = (await run(m.file, p.data, [1, 3, p.height, p.width])).data;
      const [th, tw] = [p.height * s, p.width * s];
      const rowsKept = (bottom - top) * s, colsKept = (right - left) * s;
      const [dy, dx] = [(top - pa) * s, (left - qa) * s];
      for (let ch = 0; ch < 3; ch++)
        for (let i = 0; i < rowsKept; i++) {
          const src = ch * th * tw + (dy + i) * tw + dx, dst = ch * H * W + (top * s + i) * W + left * s;
          for (let j = 0; j < colsKept; j++) out[dst + j] += y[src + j] * wy[i] * wx[j];
        }
      onProgress?.(++done / (rows.length * columns.length));
    }
  }
  const n = H * W;
  return { rgba: toRgba(out.subarray(0, n), out.subarray(n, 2 * n), out.subarray(2 * n), n), height: H, width: W, name };
}
