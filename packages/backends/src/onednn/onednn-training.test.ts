// NOT training on wasm with oneDNN's convolutions: the same steps as with tfjs' kernels, and memory that stays flat
// over hundreds of steps (tensors, the wasm heap, the primitive cache, the process). Skipped where the addon is not
// built.
import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { NeuralOT, quadraticCost, type Sampler } from '@not/ot-core';
import { ResNetPotential, UNetMap } from '@not/nets';
import { useBackend } from '../index';
import { oneDnnLoads, randomValues, seededRandom } from '../test-helpers';
import { loadOneDnnAddon } from './onednn-addon';


function sampler(seed: number): Sampler {
  const random = seededRandom(seed);
  const shape = [16, 16, 1];
  return { shape, sample: (n) => tf.tensor(randomValues(random, [n, ...shape]), [n, ...shape]) };
}

function solver(): NeuralOT {
  return new NeuralOT({
    map: new UNetMap({ size: 16, channels: 1, base: 4, seed: 1 }),
    potential: new ResNetPotential({ size: 16, channels: 1, filters: 4, maxFilters: 8, seed: 2 }),
    cost: quadraticCost(),
    source: sampler(1),
    target: sampler(2),
    batchSize: 2,
    tIters: 1,
    mapOptimizer: { lr: 1e-3 },
    potentialOptimizer: { lr: 1e-3 },
    seed: 5,
  });
}

const wasmHeapBytes = () => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;

describe.skipIf(!oneDnnLoads())('NOT training on wasm with oneDNN convolutions', () => {
  it("takes the same steps as tfjs' wasm kernels", async () => {
    const run = async (oneDnn: boolean) => {
      expect((await useBackend('wasm', { oneDnn })).oneDnn?.loaded).toBe(oneDnn);
      const s = solver();
      const reports = [];
      for (let i = 0; i < 3; i++) reports.push(await s.trainStep());
      s.dispose();
      return reports;
    };
    const wasm = await run(false);
    const native = await run(true);
    for (const [i, r] of wasm.entries()) {
      for (const key of ['mapLoss', 'cost', 'potentialLoss'] as const) {
        expect(Math.abs(native[i][key] - r[key]), `step ${i + 1} ${key}`).toBeLessThan(1e-3 * Math.max(1, Math.abs(r[key])));
      }
    }
  }, 60_000);

  it('keeps memory flat over 200 steps: tensors, the wasm heap, the primitive cache and the process', async () => {
    const { addon } = loadOneDnnAddon();
    await useBackend('wasm');
    const s = solver();
    const seen: { tensors: number; heap: number; primitives: number; rss: number }[] = [];
    for (let step = 1; step <= 200; step++) {
      await s.trainStep();
      seen.push({ tensors: tf.memory().numTensors, heap: wasmHeapBytes(), primitives: addon.cachedPrimitives(), rss: process.memoryUsage().rss });
    }
    s.dispose();
    const settled = seen[19];
    for (const [i, m] of seen.slice(20).entries()) {
      expect(m.tensors, `tensors after step ${i + 21}`).toBe(settled.tensors);
      expect(m.heap, `wasm heap after step ${i + 21}`).toBe(settled.heap);
      expect(m.primitives, `primitives after step ${i + 21}`).toBe(settled.primitives);
    }
    const grown = (seen[199].rss - settled.rss) / 2 ** 20;
    console.log(`200 native steps: ${settled.tensors} tensors, wasm heap ${settled.heap / 2 ** 20} MiB, ${settled.primitives} primitives; process grew ${grown.toFixed(1)} MiB from step 20 to 200`);
    expect(grown).toBeLessThan(32);
  }, 240_000);

  it('keeps at most the cache limit of primitives, least recently used out first, and recomputes evicted ones right', async () => {
    const { addon } = loadOneDnnAddon();
    const conv = (k: number) =>
      tf.tidy(() => tf.conv2d(x as tf.Tensor4D, tf.ones([k, k, 3, 2]) as tf.Tensor4D, 1, 'same').dataSync().slice());
    await useBackend('cpu');
    const x = tf.tensor(randomValues(seededRandom(3), [1, 9, 9, 3]), [1, 9, 9, 3]);
    const cpu = [1, 2, 3, 4].map(conv);
    await useBackend('wasm');
    try {
      addon.setCacheLimit(2);
      expect(addon.cachedPrimitives()).toBeLessThanOrEqual(2);
      const first = [1, 2, 3, 4].map(conv); // four geometries through a cache of two
      expect(addon.cachedPrimitives()).toBe(2);
      const again = [1, 2, 3, 4].map(conv); // all rebuilt after eviction
      expect(again).toEqual(first);
      x.dispose();
      for (const [i, values] of cpu.entries()) {
        values.forEach((v, j) => expect(Math.abs(again[i][j] - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
      }
    } finally {
      addon.setCacheLimit(256);
    }
    expect(() => addon.setCacheLimit(0)).toThrow('not_onednn.setCacheLimit: limit must be >= 1, got 0');
  });
});
