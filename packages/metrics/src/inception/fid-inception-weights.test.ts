import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { decodeSafetensors, encodeSafetensors } from '@not/nets';
import { FID_WEIGHTS_FILE, FID_WEIGHTS_URL, fidInceptionFromBytes } from './fid-inception-weights';
import { fetchFidInceptionWeights, loadFidInceptionV3 } from './load-fid-inception';
import type { FidInceptionV3 } from './fid-inception-v3';
import { recipeWeights } from './test-recipe';

const dir = mkdtempSync(join(tmpdir(), 'fid-weights-'));
const fixture = decodeSafetensors(new Uint8Array(readFileSync(new URL('../../fixtures/fid-inception-fixture.safetensors', import.meta.url))));

beforeAll(async () => {
  await useBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (name: string) => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
};

const sha256 = async (bytes: Uint8Array<ArrayBuffer>) =>
  Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)), (b) => b.toString(16).padStart(2, '0')).join('');

/** A fetch that serves `body` (or fails) and counts its calls. */
function fakeFetch(body: Uint8Array<ArrayBuffer> | Error, status = 200) {
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(String(url));
    if (body instanceof Error) throw body;
    return new Response(body, { status, statusText: status === 200 ? 'OK' : 'Not Found' });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

describe('fetchFidInceptionWeights', () => {
  it('returns an existing path, and names a missing one', async () => {
    const file = join(fresh('path'), 'w.pth');
    writeFileSync(file, 'x');
    await expect(fetchFidInceptionWeights({ path: file })).resolves.toBe(file);
    await expect(fetchFidInceptionWeights({ path: join(dir, 'nope.pth') })).rejects.toThrow(/no weight file at ".*nope\.pth" \(options\.path\)/);
  });

  it('says where it looked when downloading is off', async () => {
    const cacheDir = fresh('off');
    await expect(fetchFidInceptionWeights({ cacheDir, download: false })).rejects.toThrow(/pt_inception-2015-12-05-6726825d\.pth is not in ".*off".*downloading is off/);
  });

  it('gives a clear error offline (a failing fetch and a refused connection) and caches nothing', async () => {
    const cacheDir = fresh('offline');
    const offline = fakeFetch(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND github.com') }));
    await expect(fetchFidInceptionWeights({ cacheDir, fetch: offline.fetch })).rejects.toThrow(
      /fetchFidInceptionWeights: pt_inception-2015-12-05-6726825d\.pth is not in ".*offline" or ".*" and could not be downloaded from https:\/\/github\.com\/mseitzer\/pytorch-fid\/.*\(fetch failed: getaddrinfo ENOTFOUND github\.com\); without internet, download .* by hand and pass \{ path \}/,
    );
    expect(offline.calls).toEqual([FID_WEIGHTS_URL]);
    await expect(fetchFidInceptionWeights({ cacheDir, url: 'http://127.0.0.1:9/w.pth' })).rejects.toThrow(/fetchFidInceptionWeights: w\.pth is not in ".*offline" and could not be downloaded from http:\/\/127\.0\.0\.1:9\/w\.pth \(fetch failed/);
    await expect(fetchFidInceptionWeights({ cacheDir, url: 'https://example.test/w.pth', fetch: fakeFetch(new Uint8Array(1), 404).fetch })).rejects.toThrow(/HTTP 404 Not Found/);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('downloads into the cache atomically, checks the hash in the name, and then reuses the file', async () => {
    const cacheDir = fresh('download');
    const body = new TextEncoder().encode('pretend weights');
    const prefix = (await sha256(body)).slice(0, 8);
    const url = `https://example.test/files/weights-${prefix}.pth`;
    const served = fakeFetch(body);
    const path = await fetchFidInceptionWeights({ cacheDir, url, fetch: served.fetch });
    expect(path).toBe(join(cacheDir, `weights-${prefix}.pth`));
    expect(readdirSync(cacheDir)).toEqual([`weights-${prefix}.pth`]); // no temporary file left
    expect(new Uint8Array(readFileSync(path))).toEqual(body);
    await expect(fetchFidInceptionWeights({ cacheDir, url, fetch: served.fetch })).resolves.toBe(path);
    expect(served.calls).toHaveLength(1);

    const wrong = `https://example.test/files/weights-${prefix === '00000000' ? '11111111' : '00000000'}.pth`;
    await expect(fetchFidInceptionWeights({ cacheDir: fresh('wrong-hash'), url: wrong, fetch: fakeFetch(body).fetch })).rejects.toThrow(
      /fetchFidInceptionWeights: the download of .*weights-[01]{8}\.pth has SHA-256 [0-9a-f]{64}, expected one starting with "[01]{8}" \(corrupt or wrong file\); nothing was cached/,
    );
    expect(readdirSync(join(dir, 'wrong-hash'))).toEqual([]);

    // A name without a hash (not PyTorch hub's convention) is downloaded unchecked.
    const plain = fresh('plain');
    await expect(fetchFidInceptionWeights({ cacheDir: plain, url: 'https://example.test/files/plain.pth', fetch: fakeFetch(body).fetch })).resolves.toBe(join(plain, 'plain.pth'));
    expect(new Uint8Array(readFileSync(join(plain, 'plain.pth')))).toEqual(body);
  });

  it("finds pytorch-fid's copy in PyTorch hub's cache", async () => {
    const torchHome = fresh('torch-home');
    mkdirSync(join(torchHome, 'hub', 'checkpoints'), { recursive: true });
    const hubFile = join(torchHome, 'hub', 'checkpoints', FID_WEIGHTS_FILE);
    writeFileSync(hubFile, 'x');
    const saved = process.env.TORCH_HOME;
    process.env.TORCH_HOME = torchHome;
    try {
      await expect(fetchFidInceptionWeights({ cacheDir: fresh('empty-cache'), download: false })).resolves.toBe(hubFile);
    } finally {
      if (saved === undefined) delete process.env.TORCH_HOME;
      else process.env.TORCH_HOME = saved;
    }
  });
});

describe('loadFidInceptionV3 / fidInceptionFromBytes', () => {
  const x64 = () => tf.tensor4d(fixture.tensors.x64.data as Float32Array, fixture.tensors.x64.shape as [number, number, number, number]);

  function expectFixtureFeatures(net: FidInceptionV3) {
    const images = x64();
    const features = net.features(images);
    const want = fixture.tensors.features64.data;
    const got = features.dataSync();
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    tf.dispose([images, features]);
    expect(diff / scale).toBeLessThan(1e-4);
  }

  it('loads a .safetensors file with pytorch-fid keys', async () => {
    const file = join(fresh('st'), 'fid.safetensors');
    writeFileSync(file, encodeSafetensors(recipeWeights({ classifier: true })));
    const before = tf.memory().numTensors;
    const net = await loadFidInceptionV3({ path: file });
    expectFixtureFeatures(net);
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  // The released weights are a legacy-format .pth; the fixture script writes the recipe in that format with
  // `--pth FILE` (95 MB, not committed). Set FID_RECIPE_PTH=FILE to run this check.
  it.skipIf(!process.env.FID_RECIPE_PTH)('loads a .pth of the recipe as torch.save wrote it (FID_RECIPE_PTH)', async () => {
    const net = await loadFidInceptionV3({ path: process.env.FID_RECIPE_PTH });
    expectFixtureFeatures(net);
    net.dispose();
  });

  // With the real file (pt_inception-2015-12-05-6726825d.pth), set FID_WEIGHTS_PTH to check that it loads.
  it.skipIf(!process.env.FID_WEIGHTS_PTH)('loads the released pytorch-fid weights', async () => {
    const net = await loadFidInceptionV3({ path: process.env.FID_WEIGHTS_PTH });
    const images = tf.zeros([1, 32, 32, 3]) as tf.Tensor4D;
    const features = net.features(images);
    expect(features.shape).toEqual([1, 2048]);
    expect(Array.from(features.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([images, features]);
    net.dispose();
  });

  it('names the file and the problem for files that are not the FID weights', async () => {
    const other = join(fresh('other'), 'other.pth');
    writeFileSync(other, readFileSync(new URL('../../../nets/fixtures/torch-checkpoint-zip.pth', import.meta.url)));
    await expect(loadFidInceptionV3({ path: other })).rejects.toThrow(/loadFidInceptionV3: ".*other\.pth": FidInceptionV3: the weights have no "Conv2d_1a_3x3\.conv\.weight"/);
    const truncated = join(dir, 'other', 'truncated.pth');
    writeFileSync(truncated, readFileSync(other).subarray(0, 3000));
    await expect(loadFidInceptionV3({ path: truncated })).rejects.toThrow(/truncated\.pth": readTorchCheckpoint: no zip end-of-central-directory record/);
    expect(() => fidInceptionFromBytes(new TextEncoder().encode('not weights at all'))).toThrow(/not a PyTorch checkpoint/);
    expect(existsSync(truncated)).toBe(true);
  });
});
