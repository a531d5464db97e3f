import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from '../linalg/matmul';
import { diagonalMatrix, matrix, matrixFromRows, transpose } from '../linalg/matrix';
import { randomOrthogonal } from '../linalg/random-orthogonal';
import { randomPsd } from '../linalg/test-helpers';
import { frechetDistance, gaussianW2Squared } from './gaussian-w2';

describe('gaussianW2Squared / frechetDistance', () => {
  it('1-D: (m1 − m2)² + (s1 − s2)²', () => {
    const w2 = gaussianW2Squared([1], matrixFromRows([[4]]), [-2], matrixFromRows([[0.25]]));
    expect(w2).toBeCloseTo(9 + (2 - 0.5) ** 2, 13);
  });

  it('commuting covariances: ‖m1 − m2‖² + Σ (√a_i − √b_i)², also for singular ones', () => {
    const rng = new Rng(70);
    const d = 5;
    const q = randomOrthogonal(d, rng);
    const ea = [0.5, 1, 2, 3, 0];
    const eb = [2, 0, 0.5, 0.25, 3];
    const conj = (e: number[]) => matmul(matmul(q, diagonalMatrix(e)), transpose(q));
    const m1 = [1, 2, 3, 4, 5];
    const m2 = [0, 2, 1, 4, 4];
    const want = 1 + 4 + 1 + ea.reduce((s, a, i) => s + (Math.sqrt(a) - Math.sqrt(eb[i])) ** 2, 0);
    expect(gaussianW2Squared(m1, conj(ea), m2, conj(eb))).toBeCloseTo(want, 10);
  });

  it('is symmetric, zero for identical Gaussians, and frechetDistance gives the same number', () => {
    const rng = new Rng(71);
    const d = 12;
    const s1 = randomPsd(d, rng, 20);
    const s2 = randomPsd(d, rng, 6); // singular
    const m1 = Array.from({ length: d }, () => rng.normal());
    const m2 = Array.from({ length: d }, () => rng.normal());
    const a = gaussianW2Squared(m1, s1, m2, s2);
    expect(Math.abs(gaussianW2Squared(m2, s2, m1, s1) - a) / a).toBeLessThan(1e-12);
    expect(frechetDistance(m1, s1, m2, s2)).toBe(a);
    expect(gaussianW2Squared(m1, s1, m1, s1)).toBeLessThan(1e-12);
    expect(gaussianW2Squared(m1, s1, m1, s1)).toBeGreaterThanOrEqual(0);
  });

  it('validates its input, naming the function', () => {
    expect(() => frechetDistance([0], matrix(1, 1, [1]), [0, 0], diagonalMatrix([1, 1]))).toThrow(
      /frechetDistance: both Gaussians must have the same dimension, got 1 and 2/,
    );
    expect(() => gaussianW2Squared([0, 0], diagonalMatrix([1, 1]), [0, 0], diagonalMatrix([1, -1]))).toThrow(
      /gaussianW2Squared: S2 must be positive semi-definite/,
    );
    expect(() => gaussianW2Squared([0, 0], matrix(2, 3), [0, 0], diagonalMatrix([1, 1]))).toThrow(
      /gaussianW2Squared: S1 must be square, got 2×3/,
    );
  });
});
