// The page: photos in (picked or dropped), one after another through the chosen task, each shown before/after
// with its time and a download of the full-resolution result.
import { configure, loadManifest, warm, colorize, upscale, PhotoError, MAX_PIXELS } from './pipeline.js';

const $ = id => document.getElementById(id);
const params = new URLSearchParams(location.search);
// WASM threads need cross-origin isolation (COOP + COEP, which `workbench export web --serve` sends).
const threads = Number(params.get('threads')) || (crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
configure(threads);

let manifest = null;
let photos = [];           // { file, card } in the order they came
let queue = Promise.resolve();

const task = () => document.querySelector('input[name="task"]:checked').value;
const renderSize = () => Number($('render').value);

$('render').addEventListener('input', () => { $('render-value').value = $('render').value; });
$('files').addEventListener('change', e => { add([...e.target.files]); e.target.value = ''; });
$('redo').addEventListener('click', () => photos.forEach(p => enqueue(p)));
const drop = $('drop');
drop.addEventListener('dragover', e => { e.preventDefault(); drop.classList.add('over'); });
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => { e.preventDefault(); drop.classList.remove('over'); add([...e.dataTransfer.files]); });

function add(files) {
  for (const file of files) {
    const card = $('card').content.firstElementChild.cloneNode(true);
    card.querySelector('.name').textContent = file.name;
    const slider = card.querySelector('.slider');
    slider.addEventListener('input', () => card.querySelector('.compare').style.setProperty('--split', `${slider.value}%`));
    $('results').append(card);
    const photo = { file, card };
    photos.push(photo);
    enqueue(photo);
  }
  $('redo').disabled = photos.length === 0;
}

function enqueue(photo) {
  const settings = { task: task(), renderSize: renderSize() };
  setState(photo.card, 'queued', 'waiting…', 0);
  queue = queue.then(() => process(photo, settings));
}

function setState(card, state, info, progress) {
  card.dataset.state = state;
  card.querySelector('.info').textContent = info;
  if (progress !== undefined) card.querySelector('progress').value = progress;
}

/** The photo's 8-bit RGBA pixels as the file holds them (EXIF orientation applied, no colour-profile conversion, as the CLI reads it). */
async function decode(file) {
  let bitmap;
  try {
    bitmap = await createImageBitmap(file, { colorSpaceConversion: 'none', premultiplyAlpha: 'none', imageOrientation: 'from-image' });
  } catch {
    throw new PhotoError(`${file.name}: not an image this browser can read${file.type ? ` (${file.type})` : ''}`);
  }
  const { width, height } = bitmap;
  if (width * height > MAX_PIXELS) {
    bitmap.close();
    throw new PhotoError(`${file.name}: ${width}×${height} (${(width * height / 1e6).toFixed(1)} MP) is more than this page handles on a device (${MAX_PIXELS / 1e6} MP); shrink it or use the workbench CLI`);
  }
  const canvas = new OffscreenCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  return { rgba: context.getImageData(0, 0, width, height).data, height, width, name: file.name };
}

async function encode(image) {
  const canvas = new OffscreenCanvas(image.width, image.height);
  canvas.getContext('2d').putImageData(new ImageData(image.rgba, image.width, image.height), 0, 0);
  return canvas.convertToBlob({ type: 'image/png' });
}

async function process(photo, { task, renderSize }) {
  const { file, card } = photo;
  const started = performance.now();
  const link = card.querySelector('.download');
  try {
    await ready;
    setState(card, 'working', 'reading…', 0.05);
    let image = await decode(file);
    const source = `${image.width}×${image.height}`;
    if (task !== 'upscale') {
      setState(card, 'working', `colorizing at render size ${renderSize}…`, 0.1);
      image = await colorize(image, renderSize, manifest);
    }
    if (task !== 'colorize') {
      const base = task === 'both' ? 0.5 : 0.1;
      setState(card, 'working', `upscaling ×${manifest.upscaler?.scale}…`, base);
      image = await upscale(image, manifest, f => setState(card, 'working', `upscaling ×${manifest.upscaler.scale}: ${Math.round(f * 100)} %`, base + (0.95 - base) * f));
    }
    const blob = await encode(image);
    const ms = performance.now() - started;
    const stem = file.name.replace(/\.[^.]*$/, '');
    const suffix = { colorize: 'colorized', upscale: `x${manifest.upscaler?.scale}`, both: `colorized-x${manifest.upscaler?.scale}` }[task];
    if (link.href) URL.revokeObjectURL(link.href);
    link.href = URL.createObjectURL(blob);
    link.download = `${stem}-${suffix}.png`;
    link.textContent = `Download ${image.width}×${image.height} PNG`;
    link.hidden = false;
    const compare = card.querySelector('.compare');
    const before = compare.querySelector('.before');
    if (before.src) URL.revokeObjectURL(before.src);
    before.src = URL.createObjectURL(file);
    before.classList.toggle('gray', task !== 'upscale'); // the colorizer sees the photo's luminance only
    compare.querySelector('.after').src = link.href;
    compare.hidden = false;
    card.dataset.ms = ms.toFixed(0);
    card.dataset.task = task;
    card.dataset.renderSize = renderSize;
    const what = task === 'upscale' ? '' : ` at render size ${renderSize}`;
    setState(card, 'done', `${source} → ${image.width}×${image.height}, ${task}${what}: ${(ms / 1000).toFixed(2)} s`, 1);
  } catch (e) {
    if (!(e instanceof PhotoError)) console.error(e);
    link.hidden = true;
    const message = e instanceof PhotoError ? e.message
      : e instanceof RangeError ? `${file.name}: ran out of memory; the photo is too large for this device (${e.message})`
      : `${file.name}: failed: ${e.message ?? e}`;
    setState(card, 'error', message);
  }
}

const ready = (async () => {
  try {
    manifest = await loadManifest();
    if (manifest.upscaler) document.querySelector('.scale').textContent = `×${manifest.upscaler.scale}`;
    for (const [value, needs] of [['colorize', manifest.colorizer], ['upscale', manifest.upscaler], ['both', manifest.colorizer && manifest.upscaler]])
      if (!needs) document.querySelector(`input[name="task"][value="${value}"]`).disabled = true;
    if (!manifest.colorizer) document.querySelector('input[name="task"][value="upscale"]').checked = true;
    await warm(manifest);
    const isolated = crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated (one thread)';
    $('status').textContent = `Ready: WASM, ${threads} thread${threads > 1 ? 's' : ''}, ${isolated}.`;
    document.body.dataset.ready = 'true';
  } catch (e) {
    $('status').textContent = `The models could not be loaded: ${e.message ?? e}`;
    document.body.dataset.ready = 'error';
    throw e;
  }
})();
