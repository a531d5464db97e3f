import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { diagonalMatrix, matrix, meanAndCovariance, Rng, symmetricEigenvalues } from '@not/ot-core';
import { GaussianSampler, randomGaussianPair } from './gaussian-pair';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('randomGaussianPair', () => {
  it('gives symmetric covariances with eigenvalues in the range, reproducibly', () => {
    const pair = randomGaussianPair(6, new Rng(1), { eigenvalueRange: [0.5, 2] });
    for (const s of [pair.S1, pair.S2]) {
      for (let i = 0; i < 6; i++) for (let j = 0; j < 6; j++) expect(s.data[i * 6 + j]).toBe(s.data[j * 6 + i]);
      const ev = symmetricEigenvalues(s);
      expect(ev[0]).toBeGreaterThan(0.5 - 1e-12);
      expect(ev[5]).toBeLessThan(2 + 1e-12);
    }
    expect(pair.m1.length).toBe(6);
    const again = randomGaussianPair(6, new Rng(1), { eigenvalueRange: [0.5, 2] });
    expect(Array.from(again.S2.data)).toEqual(Array.from(pair.S2.data));
    expect(Array.from(again.m2)).toEqual(Array.from(pair.m2));
  });

  it('validates its arguments', () => {
    expect(() => randomGaussianPair(0, new Rng(0))).toThrow(/randomGaussianPair: dim must be a positive integer, got 0/);
    expect(() => randomGaussianPair(2, new Rng(0), { eigenvalueRange: [0, 1] })).toThrow(
      /randomGaussianPair: eigenvalueRange must be \[lo, hi\]/,
    );
  });
});

describe('GaussianSampler', () => {
  it('returns float32 [n, D] tensors, the same per seed, and leaks nothing', () => {
    const { m1, S1 } = randomGaussianPair(3, new Rng(2));
    const before = tf.memory().numTensors;
    const a = new GaussianSampler(m1, S1, { seed: 5 }).sample(7);
    const b = new GaussianSampler(m1, S1, { seed: 5 }).sample(7);
    expect(tf.memory().numTensors).toBe(before + 2);
    expect(a.shape).toEqual([7, 3]);
    expect(a.dtype).toBe('float32');
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    expect(new GaussianSampler(m1, S1).shape).toEqual([3]);
  });

  it('resumes: restore(state()) draws the same batches again', () => {
    const { m1, S1 } = randomGaussianPair(2, new Rng(2));
    const sampler = new GaussianSampler(m1, S1, { seed: 5 });
    tf.dispose(sampler.sample(3));
    const saved = sampler.state();
    const first = sampler.sample(4);
    const other = new GaussianSampler(m1, S1, { seed: 6 });
    other.restore(saved);
    const again = other.sample(4);
    expect(Array.from(again.dataSync())).toEqual(Array.from(first.dataSync()));
    tf.dispose([first, again]);
  });

  it('sample moments converge to the parameters', () => {
    const d = 4;
    const { m2, S2 } = randomGaussianPair(d, new Rng(3));
    const n = 50_000;
    const x = new GaussianSampler(m2, S2, { rng: new Rng(4) }).sample(n);
    const { mean, cov } = meanAndCovariance(x.dataSync() as Float32Array, n, d);
    x.dispose();
    for (let i = 0; i < d; i++) {
      const sii = S2.data[i * d + i];
      expect(Math.abs(mean[i] - m2[i])).toBeLessThan(5 * Math.sqrt(sii / n));
      for (let j = 0; j < d; j++) {
        const sij = S2.data[i * d + j];
        // Var of a sample covariance entry: (S_ii S_jj + S_ij²)/n.
        const se = Math.sqrt((sii * S2.data[j * d + j] + sij * sij) / n);
        expect(Math.abs(cov.data[i * d + j] - sij)).toBeLessThan(5 * se);
      }
    }
  });

  it('accepts a singular (PSD) covariance and rejects an indefinite one', () => {
    const s = new GaussianSampler([0, 0], matrix(2, 2, [1, 1, 1, 1]), { seed: 0 }).sample(1000);
    const p = s.dataSync();
    for (let i = 0; i < 1000; i++) expect(Math.abs(p[2 * i] - p[2 * i + 1])).toBeLessThan(1e-5);
    s.dispose();
    expect(() => new GaussianSampler([0, 0], diagonalMatrix([1, -1]))).toThrow(
      /GaussianSampler: cov must be positive semi-definite/,
    );
    expect(() => new GaussianSampler([0, 0], diagonalMatrix([1]))).toThrow(/GaussianSampler: cov must be 2×2 to match mean/);
  });
});
