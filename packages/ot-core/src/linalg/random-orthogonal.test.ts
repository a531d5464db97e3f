import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from './matmul';
import { identityMatrix, transpose } from './matrix';
import { randomOrthogonal } from './random-orthogonal';
import { maxAbsDiff } from './test-helpers';

describe('randomOrthogonal', () => {
  it('is orthogonal and reproducible', () => {
    for (const n of [1, 2, 5, 33]) {
      const q = randomOrthogonal(n, new Rng(30 + n));
      expect(maxAbsDiff(matmul(transpose(q), q), identityMatrix(n))).toBeLessThan(1e-13);
      expect(Array.from(randomOrthogonal(n, new Rng(30 + n)).data)).toEqual(Array.from(q.data));
    }
  });

  it('has the Haar mean: E[Q_ij] = 0 and E[Q_ij²] = 1/n', () => {
    const rng = new Rng(31);
    const n = 3;
    const trials = 4000;
    const m = new Float64Array(n * n);
    const m2 = new Float64Array(n * n);
    for (let t = 0; t < trials; t++) {
      const q = randomOrthogonal(n, rng);
      for (let i = 0; i < n * n; i++) {
        m[i] += q.data[i] / trials;
        m2[i] += (q.data[i] * q.data[i]) / trials;
      }
    }
    // Without the sign fix of QR, E[Q_00] would be far from 0.
    for (let i = 0; i < n * n; i++) {
      expect(Math.abs(m[i])).toBeLessThan(0.05);
      expect(Math.abs(m2[i] - 1 / n)).toBeLessThan(0.03);
    }
  });
});
