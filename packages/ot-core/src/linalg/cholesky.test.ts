import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { cholesky, pivotedCholesky } from './cholesky';
import { matmul } from './matmul';
import { matrixFromRows, transpose } from './matrix';
import { maxAbsDiff, randomPsd } from './test-helpers';

describe('cholesky', () => {
  it('factors SPD matrices: L Lᵀ = A with L lower triangular', () => {
    const rng = new Rng(20);
    for (const n of [1, 2, 5, 40]) {
      const a = randomPsd(n, rng, n + 3, 0.1);
      const l = cholesky(a);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(l.data[i * n + j]).toBe(0);
      expect(maxAbsDiff(matmul(l, transpose(l)), a)).toBeLessThan(1e-12);
    }
  });

  it('rejects matrices that are not positive definite', () => {
    expect(() => cholesky(matrixFromRows([[1, 2], [2, 1]]))).toThrow(/cholesky: a must be positive definite/);
  });
});

describe('pivotedCholesky', () => {
  it('stops at the numerical rank of a singular PSD matrix and reproduces it', () => {
    const rng = new Rng(21);
    const n = 30;
    const a = randomPsd(n, rng, 7); // rank 7
    const { factor, perm, rank } = pivotedCholesky(a);
    expect(rank).toBe(7);
    const llt = matmul(factor, transpose(factor));
    let err = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(llt.data[i * n + j] - a.data[perm[i] * n + perm[j]]));
    }
    expect(err).toBeLessThan(1e-12);
  });

  it('rejects an indefinite matrix', () => {
    expect(() => pivotedCholesky(matrixFromRows([[1, 2], [2, 1]]))).toThrow(
      /pivotedCholesky: a must be positive semi-definite/,
    );
  });
});
