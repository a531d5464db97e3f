import { describe, expect, it } from 'vitest';
import { Rng } from '../rng';
import { diagonalMatrix, identityMatrix, matrix, matrixFromRows, transpose } from './matrix';
import { matmul } from './matmul';
import { symmetricEigen, symmetricEigenvalues } from './symmetric-eigen';
import { randomOrthogonal } from './random-orthogonal';
import { fromEigen, maxAbs, maxAbsDiff, randomPsd, randomSymmetric } from './test-helpers';

function checkDecomposition(a: ReturnType<typeof matrix>, tol: number): void {
  const n = a.rows;
  const { values, vectors } = symmetricEigen(a);
  expect(values.length).toBe(n);
  for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
  const scale = Math.max(1, maxAbs(a));
  expect(maxAbsDiff(fromEigen(values, vectors), a) / scale).toBeLessThan(tol);
  const vtv = matmul(transpose(vectors), vectors);
  expect(maxAbsDiff(vtv, identityMatrix(n))).toBeLessThan(tol);
  const only = symmetricEigenvalues(a);
  expect(maxAbsDiff(only, values) / scale).toBeLessThan(tol);
}

describe('symmetricEigen', () => {
  it('reconstructs random symmetric matrices of sizes 1..200 to 1e-10 with orthonormal eigenvectors', () => {
    const rng = new Rng(1);
    for (const n of [1, 2, 3, 4, 5, 7, 8, 13, 16, 31, 32, 33, 50, 64, 65, 100, 127, 200]) {
      checkDecomposition(randomSymmetric(n, rng), 1e-10);
    }
  });

  it('finds known eigenvalues (diagonal, 2×2 closed form, rotated spectrum)', () => {
    const d = symmetricEigen(diagonalMatrix([3, -1, 2]));
    expect(Array.from(d.values)).toEqual([-1, 2, 3]);
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3.
    const e = symmetricEigenvalues(matrixFromRows([[2, 1], [1, 2]]));
    expect(e[0]).toBeCloseTo(1, 14);
    expect(e[1]).toBeCloseTo(3, 14);
    const rng = new Rng(2);
    const n = 40;
    const q = randomOrthogonal(n, rng);
    const spectrum = Array.from({ length: n }, (_, i) => (i - 20) * 0.37);
    const a = matmul(matmul(q, diagonalMatrix(spectrum)), transpose(q));
    const got = symmetricEigenvalues(a);
    const want = [...spectrum].sort((x, y) => x - y);
    expect(maxAbsDiff(got, want)).toBeLessThan(1e-12);
  });

  it('handles repeated eigenvalues, rank one, zero and already tridiagonal matrices', () => {
    const rng = new Rng(3);
    checkDecomposition(identityMatrix(17), 1e-12);
    checkDecomposition(matrix(9, 9), 1e-12);
    // Rank one: u uᵀ.
    const n = 30;
    const u = Array.from({ length: n }, () => rng.normal());
    const r1 = matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) r1.data[i * n + j] = u[i] * u[j];
    checkDecomposition(r1, 1e-10);
    // Clustered spectrum: two eigenvalues each with multiplicity n/2.
    const q = randomOrthogonal(n, rng);
    const spec = Array.from({ length: n }, (_, i) => (i < n / 2 ? 1 : 1 + 1e-9));
    checkDecomposition(matmul(matmul(q, diagonalMatrix(spec)), transpose(q)), 1e-10);
    // Tridiagonal (1, 2, 1) Toeplitz: eigenvalues 2 − 2cos(kπ/(n+1)).
    const t = matrix(n, n);
    for (let i = 0; i < n; i++) {
      t.data[i * n + i] = 2;
      if (i + 1 < n) t.data[i * n + i + 1] = t.data[(i + 1) * n + i] = -1;
    }
    checkDecomposition(t, 1e-12);
    const ev = symmetricEigenvalues(t);
    for (let k = 1; k <= n; k++) expect(ev[k - 1]).toBeCloseTo(2 - 2 * Math.cos((k * Math.PI) / (n + 1)), 13);
  });

  it('keeps relative accuracy at extreme scales', () => {
    const rng = new Rng(4);
    for (const s of [1e-150, 1e150]) {
      const a = randomSymmetric(20, rng);
      const scaled = matrix(20, 20, a.data.map((x) => x * s));
      const v1 = symmetricEigenvalues(a);
      const v2 = symmetricEigenvalues(scaled);
      for (let i = 0; i < 20; i++) expect(Math.abs(v2[i] / s - v1[i])).toBeLessThan(1e-12);
    }
  });

  it('converges on rank-deficient matrices (a block of zero eigenvalues at rounding level)', () => {
    // The zero eigenvalues leave a tridiagonal block of entries ~ε‖A‖ that QL can only deflate against ‖A‖.
    const rng = new Rng(5);
    for (const [n, r] of [[301, 41], [120, 7]]) {
      const a = randomPsd(n, rng, r);
      const { values, vectors } = symmetricEigen(a);
      expect(maxAbsDiff(fromEigen(values, vectors), a) / maxAbs(a)).toBeLessThan(1e-10);
      const only = symmetricEigenvalues(a);
      for (let i = 0; i < n - r; i++) expect(Math.abs(only[i])).toBeLessThan(1e-12 * only[n - 1]);
      expect(only[n - r]).toBeGreaterThan(1e-6 * only[n - 1]);
    }
  });

  it('rejects non-square, non-symmetric and non-finite input, naming the function', () => {
    expect(() => symmetricEigen(matrix(2, 3))).toThrow(/symmetricEigen: a must be square, got 2×3/);
    expect(() => symmetricEigen(matrixFromRows([[1, 2], [0, 1]]))).toThrow(/symmetricEigen: a must be symmetric/);
    expect(() => symmetricEigenvalues(matrixFromRows([[1, NaN], [NaN, 1]]))).toThrow(
      /symmetricEigenvalues: a must be finite, got NaN/,
    );
    // Rounding-level asymmetry is accepted and averaged away.
    expect(() => symmetricEigen(matrixFromRows([[1, 0.5], [0.5 + 1e-12, 1]]))).not.toThrow();
  });
});
