import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { pushForward } from '@not/ot-core';
import { ImageDataset } from '@not/datasets';
import { openImageSource } from '@not/datasets/node';
import { PNG } from 'pngjs';
import { UNetMap } from '@not/nets';
import { Stack } from '@not/stacking';
import { loadTransportMap, saveTransportMap } from '@not/stacking/node';
import { imageToPixels, pixelsToImage } from '../src/pixels';

// The page as a user opens it, in headless Chromium (Debian's `chromium`; .ci/run installs it) on WebGL (SwiftShader
// where there is no GPU): it loads a map trained by `not train` and three held-out bags, and its translations must be
// what the same map gives on tfjs's cpu backend in Node.

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
const HERE = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../packages/cli/dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'not-browser-'));
let server: Server;
let port = 0;

afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeAll(async () => {
  await tf.setBackend('cpu');
  execFileSync(process.execPath, [join(HERE, 'build.mjs')], { stdio: 'ignore' });
  execFileSync(process.execPath, [CLI, 'train', '--source', 'fashion-mnist:bag', '--target', 'fashion-mnist:shoes', '--size', '32', '--steps', '3',
    '--batch-size', '8', '--base', '8', '--filters', '8', '--max-filters', '16', '--eval-every', '0', '--backend', 'wasm', '--threads', '1', '--out', join(dir, 'run')], { stdio: 'ignore' });
  // Three held-out bags as the PNG files a user would pick.
  const bags = new ImageDataset(await openImageSource('fashion-mnist:bag'), { size: 32, channels: 1 });
  const batch = bags.batch('test', [0, 1, 2]);
  const values = batch.dataSync();
  batch.dispose();
  bags.source.close();
  for (let i = 0; i < 3; i++) {
    const png = new PNG({ width: 32, height: 32 });
    png.data.set(imageToPixels(values.subarray(i * 1024, (i + 1) * 1024), 32, 1));
    writeFileSync(join(dir, `bag-${i}.png`), PNG.sync.write(png));
  }
  // A stack of two: the trained map, then a stochastic map (seeded weights stand in for training).
  const trained = await loadTransportMap({ path: join(dir, 'run', 'T.safetensors') });
  const second = new UNetMap({ size: 32, channels: 1, noiseChannels: 1, base: 4, seed: 3 });
  const network = (noiseChannels: number) => ({ arch: 'unet' as const, size: 32, channels: 1, noiseChannels, base: 8 });
  await saveTransportMap(join(dir, 'stack.safetensors'), new Stack([trained.map, second]), {
    stages: [{ network: network(0) }, { network: { ...network(1), base: 4 }, noise: { std: 1 } }],
  });
  trained.map.dispose();
  second.dispose();
  server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname.slice(1);
    const file = path === 'T.safetensors' ? join(dir, 'run', 'T.safetensors') : path.startsWith('bag-') || path === 'stack.safetensors' ? join(dir, path) : join(HERE, 'dist', path || 'index.html');
    if (!existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'content-type': file.endsWith('.html') ? 'text/html' : file.endsWith('.js') ? 'text/javascript' : 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
}, 300_000);

/** The page's DOM after it has run, as Chromium leaves it (asynchronously: this process serves the page). */
async function openPage(query: string): Promise<string> {
  const args = ['--headless', '--no-sandbox', '--enable-unsafe-swiftshader', '--virtual-time-budget=600000', '--dump-dom', `http://127.0.0.1:${port}/index.html${query}`];
  const { stdout } = await promisify(execFile)(CHROMIUM!, args, { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 << 20 });
  return stdout;
}

describe('the browser demo', () => {
  /** The page's translations of the three bags with a map file, checked against the same file on the cpu backend here. */
  async function expectTranslations(file: string, caption: string): Promise<void> {
    const dom = await openPage(`?map=/${file}&images=/bag-0.png,/bag-1.png,/bag-2.png`);
    expect(/<span id="map">([^<]*)<\/span>/.exec(dom)?.[1]).toBe(`/${file}: 32×32×1, ${caption}`);
    expect(/<html[^>]*data-status="(\w+)"/.exec(dom)?.[1], /<p id="status">([^<]*)/.exec(dom)?.[1]).toBe('done');
    expect(/<html[^>]*data-backend="(\w+)"/.exec(dom)?.[1]).toBe('webgl');
    expect(dom.match(/<canvas/g)).toHaveLength(6);
    const results = JSON.parse(/<pre id="results">([^<]*)<\/pre>/.exec(dom)![1].replace(/&quot;/g, '"')) as { name: string; output: number[] }[];
    expect(results.map((r) => r.name)).toEqual(['/bag-0.png', '/bag-1.png', '/bag-2.png']);
    const { noise, map } = await loadTransportMap({ path: file === 'T.safetensors' ? join(dir, 'run', file) : join(dir, file) });
    for (const [i, result] of results.entries()) {
      const png = PNG.sync.read(readFileSync(join(dir, `bag-${i}.png`)));
      const want = tf.tidy(() => pushForward(map, pixelsToImage(png.data, 32, 1), { std: noise.std, seed: i + 1 }).dataSync());
      expect(result.output).toHaveLength(want.length);
      const worst = Math.max(...result.output.map((v, k) => Math.abs(v - want[k])));
      expect(worst, result.name).toBeLessThan(2e-3);
    }
    map.dispose();
  }

  it.skipIf(!CHROMIUM)('translates held-out bags with a trained map on WebGL, as the cpu backend does', () => expectTranslations('T.safetensors', 'one map, deterministic, fashion-mnist:bag → fashion-mnist:shoes'), 300_000);

  it.skipIf(!CHROMIUM)('loads a stack file (a deterministic stage, then a stochastic one) and translates as the cpu backend does', () => expectTranslations('stack.safetensors', 'a stack of 2 maps, stochastic'), 300_000);

  it.skipIf(!CHROMIUM)('says what is wrong with a file that is not a map', async () => {
    const dom = await openPage('?map=/bag-0.png');
    expect(/<html[^>]*data-status="(\w+)"/.exec(dom)?.[1]).toBe('error');
    expect(dom).toMatch(/<p id="status">Error: [^<]*(safetensors|header)[^<]*<\/p>/);
  }, 120_000);
});
