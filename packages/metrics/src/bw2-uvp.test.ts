import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { diagonalMatrix, matrix, trace } from '@not/ot-core';
import { bw2Uvp, bw2UvpFromMoments } from './bw2-uvp';
import { gaussianProblem } from './test-gaussian';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('bw2Uvp', () => {
  const n = 100_000;
  const { d, m2, S2, y } = gaussianProblem(n, 2);

  it('is ~0 for exact target samples (the true map pushed forward)', () => {
    const v = bw2Uvp({ data: y, shape: [n, d] }, m2, S2);
    expect(v).toBeGreaterThanOrEqual(0);
    expect(v).toBeLessThan(0.05);
  });

  it('for a shift δ is 100·‖δ‖²/Tr Σ (closed form from moments; Monte Carlo from samples)', () => {
    const delta = [0.3, -0.2, 0.1];
    const d2 = delta.reduce((s, t) => s + t * t, 0);
    const want = (100 * d2) / trace(S2);
    const shiftedMean = m2.map((m, i) => m + delta[i]);
    expect(bw2UvpFromMoments(shiftedMean, S2, m2, S2)).toBeCloseTo(want, 10);
    const shifted = y.map((v, k) => v + delta[k % d]);
    expect(Math.abs(bw2Uvp({ data: shifted, shape: [n, d] }, m2, S2) - want)).toBeLessThan(0.05 * want + 0.05);
  });

  it('for a scaling by c about the mean is 100·(1 − c)² (closed form from moments)', () => {
    const c = 0.7;
    const scaled = matrix(3, 3, S2.data.map((v) => c * c * v));
    expect(bw2UvpFromMoments(m2, scaled, m2, S2)).toBeCloseTo(100 * (1 - c) ** 2, 10);
    // Hand-computed 1-D case with the ½ convention: ½[(1−0)² + 4 + 1 − 2·2] / (½·1) = 2 → 200%.
    expect(bw2UvpFromMoments([1], diagonalMatrix([4]), [0], diagonalMatrix([1]))).toBeCloseTo(200, 12);
  });

  it('accepts a float32 tensor and an explicit Var(Q)', () => {
    const t = tf.tensor2d(Float32Array.from(y), [n, d]);
    const a = bw2Uvp(t, m2, S2, { targetVariance: 2 * trace(S2) });
    const b = bw2Uvp({ data: y, shape: [n, d] }, m2, S2);
    expect(Math.abs(a - b / 2)).toBeLessThan(1e-4);
    t.dispose();
  });

  it('names the function on bad input', () => {
    const p = { data: new Float64Array(6), shape: [2, 3] };
    expect(() => bw2Uvp(p, [0, 0], S2)).toThrow(/bw2Uvp: targetMean must have D = 3 entries to match pushedSamples, got 2/);
    expect(() => bw2Uvp(p, [0, 0, 0], diagonalMatrix([1, -1, 1]))).toThrow(/bw2Uvp: .*S2 must be positive semi-definite/);
    expect(() => bw2UvpFromMoments([0], diagonalMatrix([1]), [0], diagonalMatrix([0]))).toThrow(
      /bw2UvpFromMoments: Var\(Q\) must be a positive number, got 0/,
    );
  });
});
