import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ImageDataset, readNpy } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import { decodeSafetensors } from '@not/nets';
import { imageToPixels } from '../src/pixels';

// The training page (train.html) as a user opens it, in headless Chromium (Debian's `chromium`): it trains bags →
// shoes for a few steps at a tiny size on WebGL (SwiftShader) and on WebGPU (Chromium's software adapter, where it
// offers one), and posts what it did. The losses must be finite, the grid must show the test bags, their translations
// and the test shoes, and the map file it offers must load in `not translate` and translate there, on tfjs's cpu
// backend in Node, as the page did on the GPU.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const HERE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'not-browser-train-'));
/**
 * Small enough for seconds on a software GPU: UNet base 4, ResNet 4…8, batch 4, K_T 1; 32×32 as the preset, since at
 * 16×16 the UNet's bottleneck is 1×1 and tfjs-webgl's bilinear-resize gradient cannot compile for it (1/0 in a shader).
 */
const TINY = 'size=32&base=4&filters=4&maxFilters=8&batchSize=4&tIters=1';
const SIZE = 32;
const posted = new Map<string, (body: string) => void>();
let server: Server;
let port = 0;

interface PageResults {
  status: string;
  message: string;
  backend: string;
  device: string;
  skipped: string[];
  config: { size: number; channels: 1 | 3; steps: number; source: string; target: string };
  step: number;
  interrupted: boolean;
  reports: { step: number; mapLoss: number; potentialLoss: number; cost: number }[];
  numTensors: number[];
  turns: number;
  gridIndices: number[];
  gridOutput: number[];
  gridCanvas: { width: number; height: number; red: number[] };
  chart: { series: string; points: number }[];
  mapFile: string;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  execFileSync(process.execPath, [join(HERE, 'build.mjs')], { stdio: 'ignore' });
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method === 'POST') {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        posted.get(path)?.(body);
        response.writeHead(204).end();
      });
      return;
    }
    const file = join(HERE, 'dist', path.slice(1) || 'index.html');
    if (!file.startsWith(join(HERE, 'dist')) || !existsSync(file)) return void response.writeHead(404).end();
    const type = file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : file.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
}, 120_000);

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens train.html with `query` in headless Chromium and resolves to what the page posts when its run ends. */
async function trainInChromium(name: string, query: string, flags: string[]): Promise<PageResults> {
  const url = `http://127.0.0.1:${port}/train.html?${query}&autostart&results=/results/${name}`;
  const args = ['--headless', '--no-sandbox', '--no-first-run', `--user-data-dir=${join(dir, `profile-${name}`)}`, ...flags, url];
  let chromium: ChildProcess | undefined;
  try {
    return await new Promise<PageResults>((resolve, reject) => {
      // Generous: CI runs this beside other suites on two cores, where a step on a software GPU takes several times longer.
      const timer = setTimeout(() => reject(new Error(`${name}: the page posted nothing within 360 s`)), 360_000);
      posted.set(`/results/${name}`, (body) => {
        clearTimeout(timer);
        console.log(`${name}: ${(JSON.parse(body) as PageResults).message} (event-loop turns while training: ${(JSON.parse(body) as PageResults).turns})`);
        resolve(JSON.parse(body) as PageResults);
      });
      chromium = spawn(CHROMIUM!, args, { stdio: 'ignore', env: { ...process.env, XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR ?? tmpdir() } });
      chromium.on('exit', (code) => reject(new Error(`${name}: Chromium exited (${code}) before the page posted its results`)));
    });
  } finally {
    // Gone before the next test starts: its GPU process would still be using the CPU.
    if (chromium && chromium.exitCode === null && chromium.signalCode === null) {
      const exited = new Promise((resolve) => chromium!.once('exit', resolve));
      chromium.kill();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    }
  }
}

/** The grid's rows as `not train` would show them: test images at `indices`, as Node's @not/datasets reads them. */
async function testImages(spec: string, indices: number[]): Promise<Float32Array> {
  const data = new ImageDataset(await openImageSource(spec), { size: SIZE, channels: 1 });
  const batch = data.batch('test', indices);
  const values = (await batch.data()) as Float32Array;
  batch.dispose();
  data.source.close();
  return values;
}

/**
 * The red channel of a sample grid as `not train` lays one out: rows of SIZE×SIZE grayscale images (values in [-1, 1],
 * 10 per row) 1 white pixel apart.
 */
function gridRed(rows: ArrayLike<number>[]): { width: number; height: number; red: number[] } {
  const [columns, cell] = [10, SIZE + 1];
  const [width, height] = [columns * cell - 1, rows.length * cell - 1];
  const red = new Array<number>(width * height).fill(255);
  rows.forEach((values, r) => {
    for (let c = 0; c < columns; c++) {
      const image = Float32Array.from({ length: SIZE * SIZE }, (_, k) => values[c * SIZE * SIZE + k]);
      const rgba = imageToPixels(image, SIZE, 1);
      for (let p = 0; p < SIZE * SIZE; p++) red[(r * cell + Math.floor(p / SIZE)) * width + c * cell + (p % SIZE)] = rgba[4 * p];
    }
  });
  return { width, height, red };
}

/** Everything a finished run must show, then the map file through `not translate` on cpu against the page's T(x). */
async function checkRun(name: string, results: PageResults, steps: number): Promise<void> {
  expect(results.reports.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
  for (const r of results.reports) for (const v of [r.mapLoss, r.potentialLoss, r.cost]) expect(Number.isFinite(v), JSON.stringify(r)).toBe(true);
  expect(results.chart).toEqual(['mapLoss', 'potentialLoss', 'cost'].map((series) => ({ series, points: steps })));
  // A step leaves no tensor behind, and the event loop ran between the steps (the page stayed responsive).
  expect(new Set(results.numTensors).size, `tensors after each step: ${results.numTensors}`).toBe(1);
  expect(results.turns).toBeGreaterThanOrEqual(steps);

  // The grid: test bags x (as Node reads them), the page's T(x), test shoes y, pixel for pixel.
  const { gridIndices: indices, gridOutput } = results;
  expect(indices).toHaveLength(10);
  expect(gridOutput).toHaveLength(10 * SIZE * SIZE);
  const [x, y] = await Promise.all([testImages('fashion-mnist:bag', indices), testImages('fashion-mnist:shoes', indices)]);
  const want = gridRed([x, gridOutput, y]);
  expect([results.gridCanvas.width, results.gridCanvas.height]).toEqual([want.width, want.height]);
  const wrong = want.red.flatMap((v, p) => (results.gridCanvas.red[p] === v ? [] : [p]));
  expect(wrong.length, `grid pixels that differ from x, T(x), y (first: ${wrong.slice(0, 5)})`).toBe(0);
  expect(Math.max(...gridOutput.map((v, i) => Math.abs(v - x[i])))).toBeGreaterThan(1e-3);

  // The file: not train's map file (@not/stacking's format) with the run's configuration, and it translates in the
  // CLI as on the page.
  const file = join(dir, `${name}.safetensors`);
  writeFileSync(file, Buffer.from(results.mapFile, 'base64'));
  const { metadata } = decodeSafetensors(new Uint8Array(readFileSync(file)));
  expect(metadata.format).toBe('not-transport-map/2');
  const [stage] = JSON.parse(metadata.stages) as { network: object; config: object }[];
  expect(stage.network).toEqual({ arch: 'unet', size: SIZE, channels: 1, noiseChannels: 0, base: 4 });
  expect(stage.config).toEqual(results.config);
  const out = join(dir, `${name}-translated`);
  execFileSync(process.execPath, [CLI, 'translate', '--checkpoint', file, '--input', 'fashion-mnist:bag', '--split', 'test', '--count', String(Math.max(...indices) + 1), '--npy', '--backend', 'cpu', '--out', out], { stdio: 'ignore' });
  const translated = readNpy(new Uint8Array(readFileSync(join(out, 'translated.npy'))));
  expect(translated.shape.slice(1)).toEqual([SIZE, SIZE, 1]);
  const pixels = SIZE * SIZE;
  let worst = 0;
  indices.forEach((index, column) => {
    for (let k = 0; k < pixels; k++) worst = Math.max(worst, Math.abs(translated.data[index * pixels + k] - gridOutput[column * pixels + k]));
  });
  expect(worst, `${name}: largest difference between the page's T(x) and not translate's on cpu`).toBeLessThan(2e-3);
}

// Both pages at once: most of their time goes to compiling shaders on a software GPU, one thread each.
describe.concurrent('the training page', () => {
  it.skipIf(!CHROMIUM)('trains bags → shoes on WebGL, stops on Stop, and offers a map that not translate reads', async () => {
    // The backend left to the page, with WebGPU on: a software adapter is passed over for WebGL.
    const results = await trainInChromium('webgl', `${TINY}&steps=3&sampleEvery=1&stopAt=2`, ['--enable-unsafe-swiftshader', '--enable-unsafe-webgpu']);
    expect(results.status, results.message).toBe('done');
    expect(results.backend).toBe('webgl');
    expect(results.skipped).toHaveLength(1);
    expect(results.skipped[0]).toMatch(/^webgpu: (a software adapter|the browser offers no WebGPU adapter)/);
    expect(results.config).toMatchObject({ size: SIZE, channels: 1, steps: 3, source: 'fashion-mnist:bag', target: 'fashion-mnist:shoes' });
    // Stop was pressed after step 2 of 3: the run ends there, with the map of step 2.
    expect(results.interrupted).toBe(true);
    expect(results.step).toBe(2);
    await checkRun('webgl', results, 2);
  }, 420_000);

  it.skipIf(!CHROMIUM)('trains on WebGPU where headless Chromium offers an adapter', async (context) => {
    const results = await trainInChromium('webgpu', `${TINY}&steps=1&backend=webgpu`, ['--enable-unsafe-webgpu', '--enable-features=Vulkan']);
    if (results.status === 'error' && /webgpu: .*(no WebGPU|no WebGPU adapter)/.test(results.message)) {
      context.skip(`headless Chromium offers no WebGPU adapter here (${results.message})`);
    }
    expect(results.status, results.message).toBe('done');
    expect(results.backend).toBe('webgpu');
    expect(results.interrupted).toBe(false);
    await checkRun('webgpu', results, 1);
  }, 420_000);
});
