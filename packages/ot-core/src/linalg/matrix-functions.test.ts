import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { matmul } from './matmul';
import { diagonalMatrix, identityMatrix, matrix, matrixFromRows } from './matrix';
import { inverseSqrtmSpd, sqrtmPsd } from './matrix-functions';
import { symmetricEigenvalues } from './symmetric-eigen';
import { maxAbs, maxAbsDiff, randomPsd } from './test-helpers';

describe('sqrtmPsd / inverseSqrtmSpd', () => {
  it('sqrtm(A)² = A, sqrtm(A) symmetric PSD, for full-rank and singular PSD matrices', () => {
    const rng = new Rng(40);
    for (const [n, cols] of [[1, 1], [6, 10], [50, 80], [40, 12], [120, 200]]) {
      const a = randomPsd(n, rng, cols);
      const s = sqrtmPsd(a);
      expect(maxAbsDiff(matmul(s, s), a) / maxAbs(a)).toBeLessThan(1e-10);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(s.data[i * n + j]).toBe(s.data[j * n + i]);
      expect(symmetricEigenvalues(s)[0]).toBeGreaterThan(-1e-7);
    }
  });

  it('is exact on diagonal matrices and clamps rounding-level negative eigenvalues', () => {
    const s = sqrtmPsd(diagonalMatrix([4, 9, 0]));
    expect(maxAbsDiff(s, diagonalMatrix([2, 3, 0]))).toBeLessThan(1e-15);
    const s2 = sqrtmPsd(diagonalMatrix([1, -1e-14]));
    expect(maxAbsDiff(s2, diagonalMatrix([1, 0]))).toBeLessThan(1e-15);
  });

  it('accepts a singular PSD matrix rounded to float32', () => {
    const a = randomPsd(25, new Rng(42), 5);
    const a32 = matrix(25, 25, Float32Array.from(a.data));
    const s = sqrtmPsd(a32);
    expect(maxAbsDiff(matmul(s, s), a32) / maxAbs(a)).toBeLessThan(1e-5);
  });

  it('A^{-1/2} A A^{-1/2} = I for SPD matrices', () => {
    const rng = new Rng(41);
    for (const n of [1, 3, 30, 90]) {
      const a = randomPsd(n, rng, 2 * n, 0.05);
      const r = inverseSqrtmSpd(a);
      expect(maxAbsDiff(matmul(matmul(r, a), r), identityMatrix(n))).toBeLessThan(1e-10);
    }
  });

  it('rejects indefinite and singular input', () => {
    expect(() => sqrtmPsd(matrixFromRows([[1, 2], [2, 1]]))).toThrow(/sqrtmPsd: a must be positive semi-definite/);
    expect(() => inverseSqrtmSpd(diagonalMatrix([1, 0]))).toThrow(/inverseSqrtmSpd: a must be positive definite/);
  });
});
