// Loading LPIPS weights from bytes and files, the cache folders and (faked) downloads. The recipe weights stand in
// for torchvision's trunk files, which cannot be downloaded here; lpips' own 6-7 kB lin files are in fixtures/.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { encodeSafetensors } from '@not/nets';
import type { Lpips } from './lpips';
import { LPIPS_LIN_FILES, LPIPS_TRUNK_FILES, lpipsFromBytes } from './lpips-files';
import { fetchLpipsWeights, loadLpips } from './load-lpips';
import { lpipsRecipeWeights } from './test-recipe';
import { LIN_READER_NOTE, caseTensors, expectClose, fixtureBytes, readsReleasedLinFiles, reference } from './test-fixture';

const fixtureFile = (name: string) => new URL(`../../fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lpips-weights-'));
let recipe: ReturnType<typeof lpipsRecipeWeights>;
let trunkBytes: Uint8Array;
let linBytes: Uint8Array;

beforeAll(async () => {
  await useBackend('wasm');
  recipe = lpipsRecipeWeights('alex');
  const part = (prefix: string) => Object.fromEntries(Object.entries(recipe).filter(([k]) => k.startsWith(prefix)));
  trunkBytes = encodeSafetensors(part('features.'));
  linBytes = encodeSafetensors(part('lin'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fresh = (name: string) => {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
};

/** A fetch that serves `body` (or fails) and records the URLs asked for. */
function fakeFetch(body: Uint8Array | Error, status = 200) {
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(String(url));
    if (body instanceof Error) throw body;
    return new Response(new Uint8Array(body), { status, statusText: status === 200 ? 'OK' : 'Not Found' });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls };
}

/** Runs `f` with $TORCH_HOME set to a fresh folder whose hub/checkpoints holds `files`. */
async function withTorchHome<T>(files: Record<string, Uint8Array>, f: (checkpoints: string) => Promise<T>): Promise<T> {
  const home = mkdtempSync(join(dir, 'torch-home-'));
  const checkpoints = join(home, 'hub', 'checkpoints');
  mkdirSync(checkpoints, { recursive: true });
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(checkpoints, name), bytes);
  const saved = process.env.TORCH_HOME;
  process.env.TORCH_HOME = home;
  try {
    return await f(checkpoints);
  } finally {
    if (saved === undefined) delete process.env.TORCH_HOME;
    else process.env.TORCH_HOME = saved;
  }
}

/** Checks the metric against the fixture's rgb32 case (`key` 'distance' or 'real_lin.distance'); disposes it. */
async function expectFixture(metric: Lpips, key = 'distance') {
  const { name, x, y } = caseTensors(1);
  const d = await metric.distance(x, y);
  expectClose(d, reference(`${name}.alex.${key}`), 1e-4, key);
  tf.dispose([d, x, y]);
  metric.dispose();
}

describe('lpipsFromBytes', () => {
  it('takes one safetensors file with both sets of keys, or the trunk and lin files in either order', async () => {
    const before = tf.memory().numTensors;
    await expectFixture(lpipsFromBytes('alex', encodeSafetensors(recipe)));
    await expectFixture(lpipsFromBytes('alex', [trunkBytes, linBytes]));
    await expectFixture(lpipsFromBytes('alex', [linBytes, trunkBytes], { batchSize: 2 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the file that is unreadable or repeats a key, and the first missing key', () => {
    expect(() => lpipsFromBytes('alex', [trunkBytes, new Uint8Array([1, 2, 3, 4, 5])])).toThrow(/lpipsFromBytes: file 2 of 2: readTorchCheckpoint: not a PyTorch checkpoint/);
    expect(() => lpipsFromBytes('alex', [trunkBytes, trunkBytes])).toThrow(/lpipsFromBytes: file 2 of 2 repeats the key "features\.0\.weight" of file 1 of 2/);
    expect(() => lpipsFromBytes('alex', trunkBytes)).toThrow(/Lpips: the 'alex' weights have no "lin0\.model\.1\.weight"/);
    expect(() => lpipsFromBytes('alex', [])).toThrow(/lpipsFromBytes: files must be a Uint8Array or a non-empty array of them/);
    expect(() => lpipsFromBytes('squeeze' as 'alex', trunkBytes)).toThrow(/lpipsFromBytes: net must be one of 'alex', 'vgg', got "squeeze"/);
  });

  it("reads lpips' released lin file (legacy torch.save) with the recipe trunk", async (ctx) => {
    ctx.skip(!readsReleasedLinFiles(), LIN_READER_NOTE);
    await expectFixture(lpipsFromBytes('alex', [trunkBytes, fixtureBytes('lpips-v0.1-alex.pth')]), 'real_lin.distance');
  });
});

describe('fetchLpipsWeights', () => {
  it('returns given paths, and names a missing one', async () => {
    const folder = fresh('given');
    const trunk = join(folder, 'trunk.pth');
    const lin = join(folder, 'lin.pth');
    writeFileSync(trunk, 'x');
    writeFileSync(lin, 'x');
    await expect(fetchLpipsWeights('alex', { path: trunk })).resolves.toEqual([trunk]);
    await expect(fetchLpipsWeights('vgg', { trunkPath: trunk, linPath: lin, download: false })).resolves.toEqual([trunk, lin]);
    await expect(fetchLpipsWeights('alex', { trunkPath: join(folder, 'nope.pth') })).rejects.toThrow(/fetchLpipsWeights: no weight file at ".*nope\.pth" \(options\.trunkPath\)/);
    await expect(fetchLpipsWeights('alex', { path: '' })).rejects.toThrow(/fetchLpipsWeights: path must be a non-empty string/);
  });

  it('says where it looked when downloading is off', async () => {
    const cacheDir = fresh('off');
    await withTorchHome({}, async (checkpoints) => {
      await expect(fetchLpipsWeights('vgg', { cacheDir, download: false })).rejects.toThrow(
        new RegExp(
          `fetchLpipsWeights: vgg16-397923af\\.pth is not in ".*off" or "${checkpoints.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" and downloading is off; ` +
            'download https://download\\.pytorch\\.org/models/vgg16-397923af\\.pth by hand and pass \\{ trunkPath \\}',
        ),
      );
    });
  });

  it('gives a clear error offline and caches nothing', async () => {
    const cacheDir = fresh('offline');
    const offline = fakeFetch(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND download.pytorch.org') }));
    await withTorchHome({}, async () => {
      await expect(fetchLpipsWeights('alex', { cacheDir, fetch: offline.fetch })).rejects.toThrow(
        /alexnet-owt-7be5be79\.pth is not in .* and could not be downloaded from https:\/\/download\.pytorch\.org\/models\/alexnet-owt-7be5be79\.pth \(fetch failed: getaddrinfo ENOTFOUND download\.pytorch\.org\); without internet, download .* by hand and pass \{ trunkPath \}/,
      );
      // With the trunk at hand, the lin file is the one that is missing.
      await expect(fetchLpipsWeights('alex', { cacheDir, trunkPath: fixtureFile('lpips-fixture.safetensors'), fetch: fakeFetch(new Uint8Array(1), 404).fetch })).rejects.toThrow(
        /lpips-v0\.1-alex\.pth is not in ".*offline" and could not be downloaded from https:\/\/raw\.githubusercontent\.com\/richzhang\/PerceptualSimilarity\/[0-9a-f]{40}\/lpips\/weights\/v0\.1\/alex\.pth \(HTTP 404 Not Found\).*\{ linPath \}/,
      );
    });
    expect(offline.calls).toEqual([LPIPS_TRUNK_FILES.alex.url]);
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it("finds the trunk in PyTorch hub's cache, downloads the lin file once with its SHA-256 checked", async () => {
    const cacheDir = fresh('download');
    const released = fixtureBytes('lpips-v0.1-alex.pth');
    await withTorchHome({ [LPIPS_TRUNK_FILES.alex.file]: trunkBytes }, async (checkpoints) => {
      const served = fakeFetch(released);
      const want = [join(checkpoints, LPIPS_TRUNK_FILES.alex.file), join(cacheDir, LPIPS_LIN_FILES.alex.file)];
      await expect(fetchLpipsWeights('alex', { cacheDir, fetch: served.fetch })).resolves.toEqual(want);
      await expect(fetchLpipsWeights('alex', { cacheDir, fetch: served.fetch })).resolves.toEqual(want);
      expect(served.calls).toEqual([LPIPS_LIN_FILES.alex.url]);
      expect(readdirSync(cacheDir)).toEqual([LPIPS_LIN_FILES.alex.file]); // no temporary file left
      expect(new Uint8Array(readFileSync(want[1]))).toEqual(released);

      const wrong = fresh('wrong-hash');
      await expect(fetchLpipsWeights('alex', { cacheDir: wrong, fetch: fakeFetch(linBytes).fetch })).rejects.toThrow(
        new RegExp(`has SHA-256 [0-9a-f]{64}, expected "${LPIPS_LIN_FILES.alex.sha256}" \\(corrupt or wrong file\\); nothing was cached`),
      );
      expect(readdirSync(wrong)).toEqual([]);
    });
    // A downloaded trunk is checked against the SHA-256 prefix in torchvision's file name.
    await withTorchHome({}, async () => {
      const cache = fresh('trunk-hash');
      await expect(fetchLpipsWeights('alex', { cacheDir: cache, fetch: fakeFetch(trunkBytes).fetch })).rejects.toThrow(
        /has SHA-256 [0-9a-f]{64}, expected one starting with "7be5be79"/,
      );
      expect(readdirSync(cache)).toEqual([]);
    });
  });
});

describe('loadLpips', () => {
  it('loads the trunk from the cache folders and the lin file from linPath (content decides the format)', async () => {
    const folder = fresh('load');
    const lin = join(folder, 'lin.safetensors');
    writeFileSync(lin, linBytes);
    const before = tf.memory().numTensors;
    await withTorchHome({ [LPIPS_TRUNK_FILES.alex.file]: trunkBytes }, async () => {
      await expectFixture(await loadLpips('alex', { cacheDir: fresh('load-cache'), linPath: lin, download: false }));
    });
    const both = join(folder, 'both.safetensors');
    writeFileSync(both, encodeSafetensors(recipe));
    await expectFixture(await loadLpips('alex', { path: both, batchSize: 1 }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('names the files when the weights do not fit', async () => {
    const folder = fresh('load-bad');
    const trunk = join(folder, 'trunk.safetensors');
    const lin = join(folder, 'lin.safetensors');
    writeFileSync(trunk, trunkBytes);
    writeFileSync(lin, linBytes);
    await expect(loadLpips('vgg', { trunkPath: trunk, linPath: lin })).rejects.toThrow(
      /loadLpips: ".*trunk\.safetensors" \+ ".*lin\.safetensors": Lpips: the 'vgg' weights have no "features\.2\.weight"/,
    );
    writeFileSync(lin, 'not weights');
    await expect(loadLpips('alex', { trunkPath: trunk, linPath: lin })).rejects.toThrow(/loadLpips: ".*lin\.safetensors": readTorchCheckpoint: not a PyTorch checkpoint/);
  });

  it("loads the released lin file from the cache (downloaded) with a trunk from PyTorch hub's cache", async (ctx) => {
    ctx.skip(!readsReleasedLinFiles(), LIN_READER_NOTE);
    await withTorchHome({ [LPIPS_TRUNK_FILES.alex.file]: trunkBytes }, async () => {
      await expectFixture(await loadLpips('alex', { cacheDir: fresh('released'), fetch: fakeFetch(fixtureBytes('lpips-v0.1-alex.pth')).fetch }), 'real_lin.distance');
    });
  });
});
