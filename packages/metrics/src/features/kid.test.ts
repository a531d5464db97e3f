import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@not/backends';
import { Rng } from '@not/ot-core';
import { kernelInceptionDistance, type FeatureRows } from './kid';
import fixture from '../../fixtures/kid-fixture.json';

beforeAll(async () => {
  await useBackend('cpu');
});

function gaussianRows(rows: number, dim: number, seed: number, shift = 0): FeatureRows {
  const data = new Rng(seed).normals(rows * dim, 'float64');
  for (let i = 0; i < data.length; i++) data[i] += shift;
  return { data, rows, dim };
}

/** The unbiased MMD² with k(x, y) = (xᵀy/d + 1)³ over all rows, in float64 loops (no subsets, no tfjs). */
function mmd2(a: FeatureRows, b: FeatureRows): number {
  const d = a.dim;
  const k = (u: FeatureRows, i: number, v: FeatureRows, j: number) => {
    let dot = 0;
    for (let c = 0; c < d; c++) dot += u.data[i * d + c] * v.data[j * d + c];
    return (dot / d + 1) ** 3;
  };
  let xx = 0;
  let yy = 0;
  let xy = 0;
  const n = a.rows;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i !== j) xx += k(a, i, a, j);
      if (i !== j) yy += k(b, i, b, j);
      xy += k(a, i, b, j);
    }
  }
  return (xx + yy) / (n * (n - 1)) - (2 * xy) / (n * n);
}

/** The features of fixtures/make-kid-fixture.py: the same integer hash, values k²/2¹⁵ for a byte k (exact in float32). */
function hashedRows(rows: number, dim: number, seed: number): FeatureRows {
  const data = new Float32Array(rows * dim);
  for (let i = 0; i < rows; i++) {
    for (let c = 0; c < dim; c++) {
      let h = (Math.imul(seed, 0x9e3779b9) + Math.imul(i, 0x85ebca6b) + Math.imul(c, 0xc2b2ae35)) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      h = Math.imul(h, 0x7feb352d) >>> 0;
      h = (h ^ (h >>> 15)) >>> 0;
      h = Math.imul(h, 0x846ca68b) >>> 0;
      h = (h ^ (h >>> 16)) >>> 0;
      const k = h >>> 24;
      data[i * dim + c] = (k * k) / 32768;
    }
  }
  return { data, rows, dim };
}

describe('kernelInceptionDistance', () => {
  it('equals the unbiased polynomial-kernel MMD² when one subset holds every row', async () => {
    const a = gaussianRows(60, 8, 1);
    const b = gaussianRows(60, 8, 2, 0.5);
    const result = await kernelInceptionDistance(a, b, { subsets: 1, subsetSize: 60 });
    expect(result).toMatchObject({ subsets: 1, subsetSize: 60, std: 0 });
    expect(result.kid).toBeCloseTo(mmd2(a, b), 5);
  });

  // Two draws of one distribution: MMD² is a small difference of large kernel sums, which float32 sums got 4.8e-3 off.
  it.each(fixture.cases)('agrees with numpy float64 to 1e-5 relative ($rows × $dim)', async ({ rows, dim, seedA, seedB, mmd2: want }) => {
    const result = await kernelInceptionDistance(hashedRows(rows, dim, seedA), hashedRows(rows, dim, seedB), { subsets: 1, subsetSize: rows });
    expect(Math.abs(result.kid - want) / Math.abs(want)).toBeLessThan(1e-5); // the brief asks 1e-4; float32 Gram products give ~4e-7, float32 sums 1.4e-4
  });

  it('is near 0 (unbiased) for two samples of one distribution and clearly positive for shifted ones, without leaking', async () => {
    const before = tf.memory().numTensors;
    const same = await kernelInceptionDistance(gaussianRows(400, 16, 3), gaussianRows(400, 16, 4), { subsets: 20, subsetSize: 100 });
    const shifted = await kernelInceptionDistance(gaussianRows(400, 16, 3), gaussianRows(400, 16, 4, 0.5), { subsets: 20, subsetSize: 100 });
    expect(tf.memory().numTensors).toBe(before);
    expect(Math.abs(same.kid)).toBeLessThan(3 * same.std);
    expect(shifted.kid).toBeGreaterThan(5 * shifted.std);
    expect(shifted.standardError).toBeCloseTo(shifted.std / Math.sqrt(20), 12);
    // The same seed draws the same subsets.
    expect((await kernelInceptionDistance(gaussianRows(400, 16, 3), gaussianRows(400, 16, 4, 0.5), { subsets: 20, subsetSize: 100 })).kid).toBe(shifted.kid);
  });

  it('refuses mismatched or too small inputs', async () => {
    const a = gaussianRows(10, 4, 1);
    await expect(kernelInceptionDistance(a, gaussianRows(10, 5, 2))).rejects.toThrow('a and b must have the same feature length, got 4 and 5');
    await expect(kernelInceptionDistance(a, { data: new Float32Array(3), rows: 1, dim: 3 })).rejects.toThrow(/b must hold at least 2 rows/);
    await expect(kernelInceptionDistance(a, a, { subsets: 0 })).rejects.toThrow('subsets must be a positive integer, got 0');
  });
});
