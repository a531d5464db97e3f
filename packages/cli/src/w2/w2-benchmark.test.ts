import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { matrixFromRows } from '@not/ot-core';
import { runW2Benchmark } from './w2-benchmark';
import { parseGaussianPair } from './pair-file';

beforeAll(async () => {
  await useBackend('wasm');
});

describe('runW2Benchmark', () => {
  it('a short run beats the identity map by a wide margin and leaks nothing', async () => {
    // N(0, I) → N((1, −1), diag(4, 0.25)): the OT map is x ↦ (1 + 2x₁, −1 + x₂/2); the identity's L2-UVP is
    // 100·(1 + 1 + (2−1)² + (0.5−1)²)/4.25 ≈ 76%.
    const pair = { m1: Float64Array.of(0, 0), S1: matrixFromRows([[1, 0], [0, 1]]), m2: Float64Array.of(1, -1), S2: matrixFromRows([[4, 0], [0, 0.25]]) };
    const before = tf.memory().numTensors;
    const result = await runW2Benchmark({ dim: 2, pair, steps: 100, hidden: [64, 64], batchSize: 128, testSize: 1024, lr: 3e-3 });
    expect(tf.memory().numTensors).toBe(before);
    expect(result.l2uvp).toBeLessThan(5);
    expect(result.bw2uvp).toBeLessThan(5);
    expect(result.steps).toBe(100);
  });

  it('maps the eval points with the trained map, deterministically for a seed', async () => {
    const evalPoints = Float32Array.of(0, 0, 1, -1, 2, 2);
    const run = () => runW2Benchmark({ dim: 2, steps: 3, hidden: [8], batchSize: 16, testSize: 64, seed: 5, evalPoints });
    const a = await run();
    const b = await run();
    expect(a.evalOut).toHaveLength(6);
    expect(Array.from(a.evalOut!)).toEqual(Array.from(b.evalOut!));
    expect(a.l2uvp).toBe(b.l2uvp);
  });

  it('rejects a pair whose dimension differs from --dim', async () => {
    const pair = parseGaussianPair({ m1: [0], S1: [[1]], m2: [1], S2: [[2]] }, 'test');
    await expect(runW2Benchmark({ dim: 3, pair, steps: 1 })).rejects.toThrow('bench w2: the pair has dimension 1 but --dim is 3');
  });
});

describe('parseGaussianPair', () => {
  it('names the bad field', () => {
    expect(() => parseGaussianPair({ m1: [0, 1], S1: [[1, 0]], m2: [0, 1], S2: [[1, 0], [0, 1]] }, 'p.json')).toThrow(
      'p.json: "S1" must be a 2×2 array of finite numbers',
    );
    expect(() => parseGaussianPair({ m1: [0, 1], S1: [[1, 0], [0, 1]], m2: [0], S2: [[1]] }, 'p.json')).toThrow('p.json: m1 has 2 entries but m2 has 1');
    expect(() => parseGaussianPair({ m1: ['a'] }, 'p.json')).toThrow('p.json: "m1" must be a non-empty array of finite numbers');
  });
});
