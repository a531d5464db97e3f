import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { gaussianW2Squared, trace } from '@not/ot-core';
import { l2Uvp } from './l2-uvp';
import { gaussianProblem } from './test-gaussian';
import { totalVariance } from './total-variance';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('l2Uvp', () => {
  const n = 50_000;
  const { d, m1, S1, m2, S2, x, y } = gaussianProblem(n, 1);
  const truth = { data: y, shape: [n, d] };

  it('is 0 for the true map', () => {
    expect(l2Uvp(truth, truth, trace(S2))).toBe(0);
  });

  it('is 100% for the constant map E[T*(x)] (exactly, with the biased sample variance)', () => {
    const mean = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += y[i * d + j] / n;
    const constant = new Float64Array(n * d);
    for (let i = 0; i < n; i++) constant.set(mean, i * d);
    expect(l2Uvp({ data: constant, shape: [n, d] }, truth, totalVariance(truth))).toBeCloseTo(100, 9);
    // Against the population variance Tr S2 it is ~100% up to sampling error.
    expect(Math.abs(l2Uvp({ data: constant, shape: [n, d] }, truth, trace(S2)) - 100)).toBeLessThan(2);
  });

  it('for the identity equals 100·W2²/Var(Q) (Monte Carlo)', () => {
    const want = (100 * gaussianW2Squared(m1, S1, m2, S2)) / trace(S2);
    const got = l2Uvp({ data: x, shape: [n, d] }, truth, trace(S2));
    expect(Math.abs(got - want) / want).toBeLessThan(0.02);
  });

  it('accepts tensors (float32) and [N, ...] shapes, and never disposes them', () => {
    const p = tf.tensor2d(Float32Array.from(x.subarray(0, 300)), [100, 3]);
    const t = tf.tensor3d(Float32Array.from(y.subarray(0, 300)), [100, 3, 1]);
    const before = tf.memory().numTensors;
    const got = l2Uvp(p, t, 2);
    const want = l2Uvp({ data: Float32Array.from(x.subarray(0, 300)), shape: [100, 3] }, { data: Float32Array.from(y.subarray(0, 300)), shape: [100, 3] }, 2);
    expect(got).toBeCloseTo(want, 10);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([p, t]);
  });

  it('names the function and the argument on bad input', () => {
    const a = { data: new Float64Array(6), shape: [2, 3] };
    expect(() => l2Uvp(a, { data: new Float64Array(4), shape: [2, 2] }, 1)).toThrow(
      /l2Uvp: predicted and truth must have the same shape, got \[2, 3\] and \[2, 2\]/,
    );
    expect(() => l2Uvp(a, a, 0)).toThrow(/l2Uvp: targetVariance must be a positive number, got 0/);
    expect(() => l2Uvp({ data: new Float64Array(5), shape: [2, 3] }, a, 1)).toThrow(
      /l2Uvp: predicted has shape \[2, 3\] \(6 values\) but its data holds 5/,
    );
    expect(() => l2Uvp({ data: new Float64Array([NaN, 0, 0, 0, 0, 0]), shape: [2, 3] }, a, 1)).toThrow(
      /l2Uvp: predicted must be finite, got NaN at point 0, coordinate 0/,
    );
    expect(() => l2Uvp({ data: new Float64Array(3), shape: [3] }, a, 1)).toThrow(/l2Uvp: predicted must have shape \[N, D\]/);
  });
});
