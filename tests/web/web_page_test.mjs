// Drives the page that `workbench export web --serve` serves, in Debian's chromium (headless) with playwright-core:
// photos in through the file input, results out through the download links, as a user would. Any request to
// another origin is aborted and reported. Used by tests/Workbench.Cli.Tests/WebPageTests.cs (which compares the
// downloads with the CLI's outputs) and by docs/web.md's timings.
//
//   node web_page_test.mjs CONFIG.json   → prints a JSON report on stdout
// CONFIG: { url, chromium, downloads, runs: [{ task, renderSize, photos: [paths], threads }], unreadable, tooLarge,
//           screenshot, phoneScreenshot }
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const { chromium } = require(path.join(root, 'tools', 'npm', 'node_modules', 'playwright-core'));

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const origin = new URL(config.url).origin;
const offOrigin = [];
const consoleErrors = [];
const report = { runs: [], offOrigin, consoleErrors };

const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args: ['--no-sandbox'] });
try {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  // Every request passes here: one for another origin is aborted and recorded (the test fails on any).
  await context.route('**/*', route => {
    const url = route.request().url();
    if (new URL(url).origin !== origin) { offOrigin.push(url); return route.abort(); }
    return route.continue();
  });
  for (const run of config.runs) report.runs.push(await runPhotos(context, run));
  if (config.unreadable || config.tooLarge) report.errors = await runErrors(context);
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));

async function open(context, threads) {
  const page = await context.newPage();
  page.on('console', m => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', e => consoleErrors.push(String(e)));
  await page.goto(threads ? `${config.url}?threads=${threads}` : config.url);
  await page.waitForSelector('body[data-ready]', { timeout: 120_000 });
  const ready = await page.getAttribute('body', 'data-ready');
  if (ready !== 'true') throw new Error(`the page did not load its models: ${await page.textContent('#status')}`);
  return page;
}

/** Runs photos through one task and saves each download; returns per-photo state, time and saved file. */
async function runPhotos(context, run) {
  const page = await open(context, run.threads);
  const status = await page.textContent('#status');
  const isolated = await page.evaluate(() => crossOriginIsolated);
  await page.check(`input[name="task"][value="${run.task}"]`);
  await page.$eval('#render', (el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }, run.renderSize ?? 256);
  const before = await page.locator('.card').count();
  await page.setInputFiles('#files', run.photos);
  const cards = page.locator('.card');
  await page.waitForFunction(n => [...document.querySelectorAll('.card')].slice(n).every(c => c.dataset.state === 'done' || c.dataset.state === 'error'),
    before, { timeout: 600_000, polling: 250 });
  const photos = [];
  for (let i = before; i < await cards.count(); i++) {
    const card = cards.nth(i);
    const entry = { name: await card.locator('.name').textContent(), state: await card.getAttribute('data-state'),
      ms: Number(await card.getAttribute('data-ms')), info: await card.locator('.info').textContent() };
    if (entry.state === 'done') {
      const [download] = await Promise.all([page.waitForEvent('download'), card.locator('.download').click()]);
      entry.file = path.join(config.downloads, `${run.label ?? run.task}-${download.suggestedFilename()}`);
      await download.saveAs(entry.file);
    }
    photos.push(entry);
  }
  if (run.screenshot) {
    await page.screenshot({ path: run.screenshot, fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 }); // a phone
    if (run.phoneScreenshot) await page.screenshot({ path: run.phoneScreenshot, fullPage: true });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    photos.phoneOverflow = overflow;
  }
  await page.close();
  return { label: run.label, task: run.task, renderSize: run.renderSize, threads: run.threads, status, isolated, photos,
    phoneOverflowPx: photos.phoneOverflow };
}

/** An unreadable file and a photo too large for the page: each must end in a clear message, not a result. */
async function runErrors(context) {
  const page = await open(context);
  await page.check('input[name="task"][value="colorize"]');
  const files = [];
  if (config.unreadable) files.push({ name: path.basename(config.unreadable), mimeType: 'application/octet-stream', buffer: fs.readFileSync(config.unreadable) });
  if (config.tooLarge) {
    // A 5000×4000 PNG (20 MP, over the page's 16 MP limit), drawn in the page: small to send, large to decode.
    const base64 = await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(5000, 4000);
      const g = canvas.getContext('2d');
      g.fillStyle = '#777'; g.fillRect(0, 0, 5000, 4000);
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      let s = ''; for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    });
    files.push({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.from(base64, 'base64') });
  }
  await page.setInputFiles('#files', files);
  await page.waitForFunction(() => [...document.querySelectorAll('.card')].every(c => c.dataset.state === 'done' || c.dataset.state === 'error'),
    null, { timeout: 120_000, polling: 250 });
  const result = await page.$$eval('.card', cards => cards.map(c => ({ name: c.querySelector('.name').textContent, state: c.dataset.state, info: c.querySelector('.info').textContent })));
  await page.close();
  return result;
}
